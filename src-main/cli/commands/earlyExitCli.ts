/** What the three early-exit commands share: options, progress on stderr, Ctrl-C cancels. */
import { randomBytes } from 'node:crypto'
import type { TaskProgress } from '../../../src-shared/api/tasks'
import { ApiError } from '../../../src-shared/errors'
import { openApi, type OpenApi } from '../../api/openApi'
import type { CommandIO } from '../command'

/** Parses a number option, naming it when it is not a number. */
export function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const parsed = Number(value.trim())
  if (value.trim() === '' || !Number.isFinite(parsed)) throw new ApiError('invalid_request', `--${name} must be a number, got "${value}"`)
  return parsed
}

export function listOption(value: string | undefined): string[] | undefined {
  const list = value?.split(',').map((s) => s.trim()).filter(Boolean)
  return list && list.length ? list : undefined
}

export function oneRun(command: string, positionals: string[]): string {
  if (positionals.length !== 1) throw new ApiError('invalid_request', `${command} needs one run id, got ${positionals.length}; "featurelens runs list" shows them`)
  return positionals[0]
}

/** Runs `work` with a task id whose progress goes to stderr (on a terminal) and which Ctrl-C cancels. */
export async function withTask<T>(workspace: string | undefined, io: CommandIO, work: (api: OpenApi, taskId: string) => Promise<T>): Promise<T> {
  const api = openApi({ workspace, shell: 'web' })
  const taskId = `cli-${randomBytes(4).toString('hex')}`
  let last = 0
  const unsubscribe = api.context.events.subscribe((name, payload) => {
    const p = payload as TaskProgress
    if (name !== 'task.progress' || p.taskId !== taskId || !process.stderr.isTTY || Date.now() - last < 1000) return
    last = Date.now()
    const rate = p.rate === null ? '' : ` · ${p.rate.toFixed(0)}/s`
    const eta = p.etaSeconds === null ? '' : ` · ETA ${Math.round(p.etaSeconds)} s`
    io.err(`${p.total ? Math.round((100 * p.done) / p.total) : 0}%  ${p.stage ?? p.task}${rate}${eta}`)
  })
  const onSignal = (): void => void api.call('task.cancel', { taskId })
  process.once('SIGINT', onSignal)
  try {
    return await work(api, taskId)
  } finally {
    process.off('SIGINT', onSignal)
    unsubscribe()
    api.close()
  }
}

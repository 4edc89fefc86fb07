/**
 * What the explain, top9 and invariance commands share: the workspace API with a task id whose
 * progress goes to stderr (on a terminal) and which Ctrl-C cancels, and the image argument.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { basename } from 'node:path'
import type { TaskProgress } from '../../src-shared/api/tasks'
import { SplitName } from '../../src-shared/dataset'
import { ApiError } from '../../src-shared/errors'
import type { ImageChoice } from '../../src-shared/inspect'
import { openApi, type OpenApi } from '../api/openApi'
import type { CommandIO } from './command'

export async function withExplainSession<T>(workspace: string | undefined, io: CommandIO, use: (api: OpenApi, taskId: string) => Promise<T>): Promise<T> {
  const api = openApi({ workspace, shell: 'web' })
  const taskId = `cli-${randomBytes(4).toString('hex')}`
  let lastLine = 0
  const unsubscribe = api.context.events.subscribe((name, payload) => {
    const p = payload as TaskProgress
    if (name !== 'task.progress' || p.taskId !== taskId || !process.stderr.isTTY) return
    if (Date.now() - lastLine < 1000) return
    lastLine = Date.now()
    io.err(`${Math.round((100 * p.done) / Math.max(1, p.total))}%  ${p.stage ?? p.task}${p.etaSeconds !== null ? ` · ETA ${Math.round(p.etaSeconds)} s` : ''}`)
  })
  const onSignal = (): void => void api.call('task.cancel', { taskId })
  process.once('SIGINT', onSignal)
  try {
    return await use(api, taskId)
  } finally {
    process.off('SIGINT', onSignal)
    unsubscribe()
    api.close()
  }
}

/** --image: a file to upload, or the index of an example of --split (default test). */
export function imageArgument(value: string | undefined, split: string | undefined, flag = 'image'): ImageChoice {
  if (value === undefined) throw new ApiError('invalid_request', `--${flag} is required: a PNG/JPEG file, or the index of a dataset example (with --split)`)
  const splitName = splitArgument(split) ?? 'test'
  if (/^\d+$/.test(value.trim())) return { split: splitName, index: Number(value) }
  if (!existsSync(value)) throw new ApiError('invalid_request', `--${flag}: "${value}" is neither an example index nor an existing image file`)
  return { encoded: new Uint8Array(readFileSync(value)), name: basename(value) }
}

export function splitArgument(value: string | undefined): SplitName | undefined {
  if (value === undefined) return undefined
  const parsed = SplitName.safeParse(value)
  if (!parsed.success) throw new ApiError('invalid_request', `--split must be one of ${SplitName.options.join(', ')}; got "${value}"`)
  return parsed.data
}

export function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n)) throw new ApiError('invalid_request', `--${name} must be a number, got "${value}"`)
  return n
}

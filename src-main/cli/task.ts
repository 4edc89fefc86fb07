/**
 * What the long CLI commands (explain, top9, invariance, early exit, descriptors, feature-map
 * training) share: the workspace API with a task id whose progress goes to stderr (on a
 * terminal, at most once a second) and which Ctrl-C cancels.
 */
import { randomBytes } from 'node:crypto'
import { TaskProgress } from '../../src-shared/api/tasks'
import { openApi, type OpenApi } from '../api/openApi'
import type { CommandIO } from './command'

function progressLine(p: TaskProgress): string {
  const rate = p.rate === null ? '' : ` · ${p.rate.toFixed(0)}/s`
  const eta = p.etaSeconds === null ? '' : ` · ETA ${Math.round(p.etaSeconds)} s`
  return `${p.total ? Math.round((100 * p.done) / p.total) : 0}%  ${p.stage ?? p.task}${rate}${eta}`
}

export async function withTask<T>(workspace: string | undefined, io: CommandIO, work: (api: OpenApi, taskId: string) => Promise<T>): Promise<T> {
  const api = openApi({ workspace, shell: 'web' })
  const taskId = `cli-${randomBytes(4).toString('hex')}`
  let last = 0
  const unsubscribe = api.context.events.subscribe((name, payload) => {
    if (name !== 'task.progress' || !process.stderr.isTTY || Date.now() - last < 1000) return
    const progress = TaskProgress.safeParse(payload)
    if (!progress.success || progress.data.taskId !== taskId) return
    last = Date.now()
    io.err(progressLine(progress.data))
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

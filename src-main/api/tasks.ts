/**
 * The one task service: long work runs under a client-chosen task id, reports `task.progress`
 * events while it runs, and `task.cancel` stops it. Every analysis handler uses this.
 */
import { ApiError } from '../../src-shared/errors'
import type { TaskControl } from '../engine/tasks/taskControl'
import { runExists } from '../engine/store/runStore'
import type { ApiContext } from './context'
import type { Handler } from './router'

const running = new WeakMap<ApiContext, Map<string, AbortController>>()

function tasksOf(context: ApiContext): Map<string, AbortController> {
  let tasks = running.get(context)
  if (!tasks) running.set(context, (tasks = new Map()))
  return tasks
}

export interface TaskInfo {
  /** What the work is, in words a person reads ("occlusion map"). */
  task: string
  runId?: string
}

/**
 * Runs `work` as a cancellable task. Without a task id it still runs (the control's signal is
 * never aborted, nothing is reported); with one, a second start under the same id is refused.
 */
export async function runTask<T>(context: ApiContext, taskId: string | undefined, info: TaskInfo, work: (control: TaskControl) => Promise<T>): Promise<T> {
  const tasks = tasksOf(context)
  if (taskId && tasks.has(taskId)) throw new ApiError('conflict', `taskId: "${taskId}" is already running; use a new id for new work`)
  const controller = new AbortController()
  if (taskId) tasks.set(taskId, controller)
  const { runId } = info
  // The run may be deleted meanwhile (from another window, or another process): then the work stops.
  const watch = runId ? setInterval(() => runGone(context, runId) && controller.abort(), RUN_CHECK_MS) : null
  watch?.unref()
  try {
    return await work({
      signal: controller.signal,
      onProgress: taskId ? (update) => context.events.emit('task.progress', { taskId, task: info.task, runId, ...update }) : undefined
    })
  } catch (err) {
    // Whatever it failed with (cancelled, a foreign-key error on its next write), the reason is the deletion.
    if (runId && runGone(context, runId)) throw new ApiError('not_found', `run ${runId} was deleted while its ${info.task} ran; the ${info.task} stopped`)
    throw err
  } finally {
    if (watch) clearInterval(watch)
    if (taskId) tasks.delete(taskId)
  }
}

const RUN_CHECK_MS = 500

/** Whether the run is no longer in the workspace (false when that cannot be told, e.g. the database closed). */
function runGone(context: ApiContext, runId: string): boolean {
  try {
    return !runExists(context.db, runId)
  } catch {
    return false
  }
}

export function cancelTask(context: ApiContext, taskId: string): boolean {
  const controller = tasksOf(context).get(taskId)
  controller?.abort()
  return controller !== undefined
}

export const taskHandlers: { 'task.cancel': Handler<'task.cancel'> } = {
  'task.cancel': ({ taskId }, context) => ({ cancelled: cancelTask(context, taskId) })
}

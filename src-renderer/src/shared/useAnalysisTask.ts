import { onScopeDispose, ref } from 'vue'
import type { TaskProgress } from '../../../src-shared/api/tasks'
import { useApi } from './useApi'

let counter = 0

/**
 * Long analysis work (a dataset sample, statistics over many epochs, CKA, occlusion) with a
 * progress bar and a cancel button, on the one task service: each start gets a fresh task id,
 * whose `task.progress` events are followed; `task.cancel` stops it. Leaving the view cancels it.
 * (The argument names the service, for call sites written as `useAnalysisTask('task')`.)
 */
export function useAnalysisTask(service: 'task' = 'task') {
  const api = useApi()
  const progress = ref<TaskProgress | null>(null)
  const taskId = ref<string | null>(null)
  const off = api.on('task.progress', (p) => {
    if (p.taskId === taskId.value) progress.value = p
  })
  onScopeDispose(() => {
    off()
    void cancel()
  })

  function start(): string {
    taskId.value = `${service}-${Date.now().toString(36)}-${++counter}`
    progress.value = null
    return taskId.value
  }

  function finish(): void {
    taskId.value = null
    progress.value = null
  }

  async function cancel(): Promise<void> {
    const id = taskId.value
    if (!id) return
    finish()
    await api.call('task.cancel', { taskId: id }).catch(() => undefined)
  }

  return { progress, taskId, start, finish, cancel }
}

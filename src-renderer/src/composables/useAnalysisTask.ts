import { onBeforeUnmount, ref } from 'vue'
import type { EventOf } from '../../../src-shared/contract'
import { api } from '../api/client'

let counter = 0

// 'task' is the one task service (task.progress / task.cancel); inspect and compare are moving onto it.
type Domain = 'inspect' | 'compare' | 'task'
type ProgressOf<D extends Domain> = EventOf<`${D}.progress`>

/**
 * Long analysis work (a dataset sample, statistics over many epochs, CKA) with a progress bar
 * and a cancel button: each start gets a fresh task id, and the domain's progress events for it
 * are followed. Leaving the view cancels it.
 */
export function useAnalysisTask<D extends Domain>(domain: D) {
  const progress = ref<ProgressOf<D> | null>(null)
  const taskId = ref<string | null>(null)
  const off = api.on(`${domain}.progress`, (p: ProgressOf<Domain>) => {
    if (p.taskId === taskId.value) progress.value = p as ProgressOf<D>
  })
  onBeforeUnmount(() => {
    off()
    void cancel()
  })

  function start(): string {
    taskId.value = `${domain}-${Date.now().toString(36)}-${++counter}`
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
    const method: 'inspect.cancel' | 'compare.cancel' | 'task.cancel' = `${domain}.cancel`
    await api.call(method, { taskId: id }).catch(() => undefined)
  }

  return { progress, taskId, start, finish, cancel }
}

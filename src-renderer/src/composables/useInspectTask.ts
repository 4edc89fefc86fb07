import { onBeforeUnmount, ref } from 'vue'
import type { InspectProgress } from '../../../src-shared/inspect'
import { api } from '../api/client'

let counter = 0

/**
 * Long inspector work (a dataset sample, statistics over many epochs) with a progress bar and
 * a cancel button: each start gets a fresh task id, and progress events for it are followed.
 */
export function useInspectTask() {
  const progress = ref<InspectProgress | null>(null)
  const taskId = ref<string | null>(null)
  const off = api.on('inspect.progress', (p) => {
    if (p.taskId === taskId.value) progress.value = p
  })
  onBeforeUnmount(() => {
    off()
    void cancel()
  })

  function start(): string {
    taskId.value = `inspect-${Date.now().toString(36)}-${++counter}`
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
    await api.call('inspect.cancel', { taskId: id }).catch(() => undefined)
  }

  return { progress, taskId, start, finish, cancel }
}

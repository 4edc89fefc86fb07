import { onBeforeUnmount, ref } from 'vue'
import type { CompareProgress } from '../../../src-shared/compare'
import { api } from '../api/client'

let counter = 0

/**
 * A long comparison (CKA, attention maps) with progress and a cancel button: each start gets a
 * fresh task id, and compare.progress events for it are followed. Leaving the view cancels it.
 */
export function useCompareTask() {
  const progress = ref<CompareProgress | null>(null)
  const taskId = ref<string | null>(null)
  const off = api.on('compare.progress', (p) => {
    if (p.taskId === taskId.value) progress.value = p
  })
  onBeforeUnmount(() => {
    off()
    void cancel()
  })

  function start(): string {
    taskId.value = `compare-${Date.now().toString(36)}-${++counter}`
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
    await api.call('compare.cancel', { taskId: id }).catch(() => undefined)
  }

  return { progress, taskId, start, finish, cancel }
}

import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { SplitName } from '../../../../src-shared/dataset'
import type { ImageChoice, InspectOverview } from '../../../../src-shared/inspect'
import { api } from '../../api/client'
import { useNotificationsStore } from '../../shared/useNotificationsStore'

export type ImageMode = 'index' | 'class' | 'file'

/**
 * The run being inspected and the choices every inspector panel shares: the epoch and the
 * image. Panels fetch their own data from these; big arrays stay out of deep reactivity.
 */
export const useRunInspectStore = defineStore('runInspect', () => {
  const runId = ref<string | null>(null)
  const overview = shallowRef<InspectOverview | null>(null)
  const loading = ref(false)
  const epoch = ref(0)

  const imageMode = ref<ImageMode>('index')
  const split = ref<SplitName>('test')
  const index = ref(0)
  const imageClass = ref(0)
  const nth = ref(0)
  const file = shallowRef<{ name: string; bytes: Uint8Array<ArrayBuffer> } | null>(null)

  const epochs = computed(() => overview.value?.epochs ?? [])
  const image = computed<ImageChoice | null>(() => {
    if (imageMode.value === 'file') return file.value ? { encoded: file.value.bytes, name: file.value.name } : null
    if (imageMode.value === 'class') return { split: split.value, class: imageClass.value, nth: nth.value }
    return { split: split.value, index: index.value }
  })

  async function open(id: string): Promise<void> {
    if (runId.value === id && overview.value) return
    runId.value = id
    overview.value = null
    loading.value = true
    try {
      const next = await api.call('inspect.overview', { runId: id })
      if (runId.value !== id) return
      overview.value = next
      epoch.value = next.epochs[next.epochs.length - 1]
      const splits = next.dataset.splits.map((s) => s.name)
      split.value = splits.includes('test') ? 'test' : (splits[0] ?? 'test')
      index.value = 0
      if (next.dataset.error) imageMode.value = 'file'
    } catch (err) {
      useNotificationsStore().error(err)
    } finally {
      loading.value = false
    }
  }

  /** Re-reads the overview, e.g. after more epochs were trained. */
  async function refresh(): Promise<void> {
    if (!runId.value) return
    const id = runId.value
    try {
      const next = await api.call('inspect.overview', { runId: id })
      if (runId.value === id) overview.value = next
    } catch (err) {
      useNotificationsStore().error(err)
    }
  }

  function setFile(name: string, bytes: Uint8Array<ArrayBuffer>): void {
    file.value = { name, bytes }
    imageMode.value = 'file'
  }

  return { runId, overview, loading, epoch, epochs, imageMode, split, index, imageClass, nth, file, image, open, refresh, setFile }
})

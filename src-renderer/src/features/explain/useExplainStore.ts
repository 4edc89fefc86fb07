import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { SplitName } from '../../../../src-shared/dataset'
import type { ExplainOverview } from '../../../../src-shared/explain'
import type { ImageChoice } from '../../../../src-shared/inspect'
import { api } from '../../api/client'
import { useNotificationsStore } from '../../shared/useNotificationsStore'

/** The Explain page's choices: run, epoch and the image explained, shared by its panels. */
export const useExplainStore = defineStore('explain', () => {
  const runId = ref<string | null>(null)
  const overview = shallowRef<ExplainOverview | null>(null)
  const loading = ref(false)
  const epoch = ref(0)
  const split = ref<SplitName>('test')
  const index = ref(0)
  const file = shallowRef<{ name: string; bytes: Uint8Array<ArrayBuffer> } | null>(null)
  const useFile = ref(false)

  const image = computed<ImageChoice | null>(() => {
    if (useFile.value) return file.value ? { encoded: file.value.bytes, name: file.value.name } : null
    return overview.value?.dataset.splits.length ? { split: split.value, index: index.value } : null
  })

  async function open(id: string, wantedEpoch?: number): Promise<void> {
    if (runId.value === id && overview.value) {
      if (wantedEpoch !== undefined && overview.value.epochs.includes(wantedEpoch)) epoch.value = wantedEpoch
      return
    }
    runId.value = id
    overview.value = null
    loading.value = true
    try {
      const o = await api.call('explain.overview', { runId: id })
      if (runId.value !== id) return
      overview.value = o
      epoch.value = wantedEpoch !== undefined && o.epochs.includes(wantedEpoch) ? wantedEpoch : o.epochs[o.epochs.length - 1]
      const splits = o.dataset.splits.map((s) => s.name)
      split.value = splits.includes('test') ? 'test' : (splits[0] ?? 'test')
      index.value = 0
      useFile.value = o.dataset.error !== null
    } catch (err) {
      useNotificationsStore().error(err)
    } finally {
      loading.value = false
    }
  }

  function setFile(name: string, bytes: Uint8Array<ArrayBuffer>): void {
    file.value = { name, bytes }
    useFile.value = true
  }

  return { runId, overview, loading, epoch, split, index, file, useFile, image, open, setFile }
})

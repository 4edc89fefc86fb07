import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { CkaEstimator, CompareOverview, LayerInfo } from '../../../../src-shared/compare'
import type { SplitName } from '../../../../src-shared/dataset'
import { api } from '../../api/client'
import { useNotificationsStore } from '../../shared/useNotificationsStore'

/**
 * The two runs being compared and the choices every panel shares. Panels are linked because
 * they read and write the same layer, epoch, image and weight: choosing one on either side
 * chooses it on the other.
 */
export const useCompareStore = defineStore('compare', () => {
  const a = ref<string | null>(null)
  const b = ref<string | null>(null)
  const overview = shallowRef<CompareOverview | null>(null)
  const loading = ref(false)

  const epoch = ref(0)
  const layer = ref<string | null>(null)
  const weight = ref<string | null>(null)
  const image = ref<{ split: SplitName; index: number }>({ split: 'test', index: 0 })
  /** The examples CKA and the attention maps are computed on. */
  const examples = ref<{ split: SplitName; count: number; seed: number }>({ split: 'test', count: 256, seed: 0 })
  const estimator = ref<CkaEstimator>('auto')

  const epochs = computed(() => overview.value?.commonEpochs ?? [])
  /** Spatial layers both runs have, in network order: what the map panels can show. */
  const spatialLayers = computed<LayerInfo[]>(() => {
    const o = overview.value
    if (!o) return []
    const common = new Set(o.commonLayers)
    return o.a.layers.filter((l) => common.has(l.name) && l.shape.length === 3 && l.shape[0] > 1 && l.shape[1] > 1)
  })

  function chooseDefaults(o: CompareOverview): void {
    epoch.value = o.commonEpochs.at(-1) ?? 0
    // The deepest conv layer still at least 4×4 (as the server's default for attention maps).
    const conv = spatialLayers.value.filter((l) => /Conv/.test(l.className) && l.shape[0] >= 4 && l.shape[1] >= 4)
    layer.value = (conv.at(-1) ?? spatialLayers.value.at(-1))?.name ?? null
    const size = (name: string) => o.a.weights.find((w) => w.name === name)?.shape.reduce((x, y) => x * y, 1) ?? 0
    weight.value = [...o.commonWeights].sort((x, y) => size(y) - size(x))[0] ?? null
    image.value = { split: o.dataset.defaultSplit, index: 0 }
    examples.value = { ...examples.value, split: o.dataset.defaultSplit }
  }

  async function open(runA: string, runB: string): Promise<void> {
    if (a.value === runA && b.value === runB && overview.value) return
    a.value = runA
    b.value = runB
    overview.value = null
    loading.value = true
    try {
      const o = await api.call('compare.overview', { a: runA, b: runB })
      if (a.value !== runA || b.value !== runB) return
      overview.value = o
      chooseDefaults(o)
    } catch (err) {
      useNotificationsStore().error(err)
    } finally {
      loading.value = false
    }
  }

  /** Re-reads the overview (e.g. after a run finished another epoch), keeping the choices. */
  async function refresh(): Promise<void> {
    if (!a.value || !b.value) return
    try {
      const hadEpochs = epochs.value.length > 0
      const o = await api.call('compare.overview', { a: a.value, b: b.value })
      overview.value = o
      if (!hadEpochs) chooseDefaults(o)
    } catch (err) {
      useNotificationsStore().error(err)
    }
  }

  function close(): void {
    a.value = null
    b.value = null
    overview.value = null
  }

  return { a, b, overview, loading, epoch, layer, weight, image, examples, estimator, epochs, spatialLayers, open, refresh, close }
})

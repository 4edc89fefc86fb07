import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { CkaEstimator, CompareOverview, LayerInfo } from '../../../../src-shared/compare'
import { pairNames } from '../../../../src-shared/compare'
import type { RequestOf } from '../../../../src-shared/contract'
import type { SplitName } from '../../../../src-shared/dataset'
import type { MatrixView } from '../../../../src-shared/inspect'
import { defineImageChoiceStore } from '../../shared/imageChoice'
import { useApi } from '../../shared/useApi'
import { useNotificationsStore } from '../../shared/useNotificationsStore'

/** The image whose maps both runs show. */
export const useCompareImage = defineImageChoiceStore('compareImage')

/**
 * The two runs being compared and the choices every panel shares. Panels are linked because
 * they read and write the same layer, epoch, image and weight: choosing one on either side
 * chooses it on the other. The panels' requests are here too, each for both runs.
 */
export const useCompareStore = defineStore('compare', () => {
  const api = useApi()
  const a = ref<string | null>(null)
  const b = ref<string | null>(null)
  const overview = shallowRef<CompareOverview | null>(null)
  const loading = ref(false)

  const epoch = ref(0)
  const layer = ref<string | null>(null)
  const weight = ref<string | null>(null)
  /** The examples CKA and the attention maps are computed on. */
  const examples = ref<{ split: SplitName; count: number; seed: number }>({ split: 'test', count: 256, seed: 0 })
  const estimator = ref<CkaEstimator>('auto')

  const epochs = computed(() => overview.value?.commonEpochs ?? [])
  /** The runs as figures and pages name them (what each learned, else its name). */
  const names = computed(() => (overview.value ? pairNames(overview.value.a.run, overview.value.b.run) : { a: 'first run', b: 'second run' }))
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
    useCompareImage().reset({ splits: o.dataset.splits, classNames: [], error: null }, o.dataset.defaultSplit)
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

  function bothRuns(): { a: string; b: string } {
    if (!a.value || !b.value) throw new Error('Choose two runs to compare.')
    return { a: a.value, b: b.value }
  }

  /** The linked image's maps at the linked layer and epoch, in A and in B. */
  function featureMaps(image: RequestOf<'inspect.featureMaps'>['image']) {
    const runs = bothRuns()
    const layers = layer.value ? [layer.value] : undefined
    const request = (runId: string) => api.call('inspect.featureMaps', { runId, epoch: epoch.value, image, layers })
    return Promise.all([request(runs.a), request(runs.b)])
  }

  /** The linked weight in A and in B: at the linked epoch, or its mean or variance over training (block means). */
  function weightMaps(which: 'epoch' | 'mean' | 'variance', maxCells: number): Promise<[MatrixView, MatrixView]> {
    const runs = bothRuns()
    const view = async (runId: string): Promise<MatrixView> => {
      if (!weight.value) throw new Error('Choose a weight both runs have.')
      const common = { runId, weight: weight.value, maxRows: maxCells, maxCols: maxCells, mode: 'mean' as const }
      if (which === 'epoch') return (await api.call('inspect.weights', { ...common, epoch: epoch.value })).matrix
      const stats = await api.call('inspect.weightStats', common)
      return which === 'mean' ? stats.mean : stats.variance
    }
    return Promise.all([view(runs.a), view(runs.b)])
  }

  const attention = (request: Omit<RequestOf<'compare.attention'>, 'a' | 'b' | 'epoch'>) => api.call('compare.attention', { ...bothRuns(), epoch: epoch.value, ...request })
  const cka = (taskId: string) => api.call('compare.cka', { ...bothRuns(), epoch: epoch.value, examples: { ...examples.value }, estimator: estimator.value, taskId })
  const ckaEpochs = (taskId: string) => api.call('compare.ckaEpochs', { ...bothRuns(), examples: { ...examples.value }, estimator: estimator.value, taskId })
  function weightHistograms() {
    if (!weight.value) throw new Error('Choose a weight both runs have.')
    return api.call('compare.weightHistograms', { ...bothRuns(), weight: weight.value })
  }
  /** One run's pointing figures at the linked epoch, compared with the other run on the same images (A's and B's are asked one after the other). */
  const pointing = (runId: string, other: string, count: number, taskId: string) => api.call('explain.pointing', { runId, epoch: epoch.value, count, with: other, taskId })

  /** Follows the runs' training: a new epoch of A or B re-reads the overview. Returns the unsubscribe. */
  function followEpochs(): () => void {
    return api.on('runs.epoch', (e) => {
      if (e.runId === a.value || e.runId === b.value) void refresh()
    })
  }

  function close(): void {
    a.value = null
    b.value = null
    overview.value = null
  }

  return { a, b, overview, names, loading, epoch, layer, weight, examples, estimator, epochs, spatialLayers, open, refresh, close, featureMaps, weightMaps, attention, cka, ckaEpochs, weightHistograms, pointing, followEpochs }
})

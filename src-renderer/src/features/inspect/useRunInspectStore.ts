import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { RequestOf } from '../../../../src-shared/contract'
import type { ImageChoice, InspectOverview } from '../../../../src-shared/inspect'
import { defineImageChoiceStore } from '../../shared/imageChoice'
import { useApi } from '../../shared/useApi'
import { useNotificationsStore } from '../../shared/useNotificationsStore'

/** The image the inspector's panels look at. */
export const useInspectImage = defineImageChoiceStore('inspectImage')

/**
 * The run being inspected, the epoch every inspector panel shares, and the panels' requests
 * (each for the open run). Panels keep their answers; big arrays stay out of deep reactivity.
 */
export const useRunInspectStore = defineStore('runInspect', () => {
  const api = useApi()
  const runId = ref<string | null>(null)
  const overview = shallowRef<InspectOverview | null>(null)
  const loading = ref(false)
  const epoch = ref(0)
  const epochs = computed(() => overview.value?.epochs ?? [])

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
      useInspectImage().reset(next.dataset)
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

  function openRun(): string {
    if (!runId.value) throw new Error('No run is open: choose a run on the Runs page to inspect it.')
    return runId.value
  }

  type Without<M extends Parameters<typeof api.call>[0], K extends string> = Omit<RequestOf<M>, 'runId' | K>

  const architecture = () => api.call('inspect.architecture', { runId: openRun() })
  const filters = (request: Without<'inspect.filters', 'epoch'>) => api.call('inspect.filters', { runId: openRun(), epoch: epoch.value, ...request })
  const channels = (request: Without<'inspect.channels', 'epoch'>) => api.call('inspect.channels', { runId: openRun(), epoch: epoch.value, ...request })
  const evolution = (request: Without<'inspect.evolution', never>) => api.call('inspect.evolution', { runId: openRun(), ...request })
  /** One image's maps, at the shared epoch unless another is named. */
  const featureMaps = (image: ImageChoice, request: Without<'inspect.featureMaps', 'image' | 'epoch'> & { epoch?: number } = {}) =>
    api.call('inspect.featureMaps', { runId: openRun(), epoch: epoch.value, image, ...request })
  /** A weight matrix at the shared epoch, pooled to at most maxRows × maxCols. */
  const weights = (request: Without<'inspect.weights', 'epoch'>) => api.call('inspect.weights', { runId: openRun(), epoch: epoch.value, ...request }).then((r) => r.matrix)
  const weightStats = (request: Without<'inspect.weightStats', never>) => api.call('inspect.weightStats', { runId: openRun(), ...request })
  /** One weight's value: at the shared epoch, or its mean or variance over training. */
  const weightValue = (request: Without<'inspect.weightValue', 'epoch'>) =>
    api.call('inspect.weightValue', { runId: openRun(), ...request, ...(request.map === 'epoch' ? { epoch: epoch.value } : {}) })
  const changeNorms = (taskId: string) => api.call('inspect.changeNorms', { runId: openRun(), taskId })

  /** Changes an opened model's preprocessing, then reads the overview again. */
  async function setPreprocess(preprocess: RequestOf<'models.setPreprocess'>['preprocess']): Promise<void> {
    const id = openRun()
    await api.call('models.setPreprocess', { runId: id, preprocess })
    overview.value = null
    await open(id)
  }

  return { runId, overview, loading, epoch, epochs, open, refresh, architecture, filters, channels, evolution, featureMaps, weights, weightStats, weightValue, changeNorms, setPreprocess }
})

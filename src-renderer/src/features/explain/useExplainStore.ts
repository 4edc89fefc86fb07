import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { MethodName, RequestOf } from '../../../../src-shared/contract'
import type { ExplainOverview } from '../../../../src-shared/explain'
import { defineImageChoiceStore } from '../../shared/imageChoice'
import { useApi } from '../../shared/useApi'
import { useNotificationsStore } from '../../shared/useNotificationsStore'

/** The image the Explain panels explain. */
export const useExplainImage = defineImageChoiceStore('explainImage')

/** The Explain page's run and epoch, shared by its panels, and the panels' requests for them. */
export const useExplainStore = defineStore('explain', () => {
  const api = useApi()
  const runId = ref<string | null>(null)
  const overview = shallowRef<ExplainOverview | null>(null)
  const loading = ref(false)
  const epoch = ref(0)

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
      useExplainImage().reset({ splits: o.dataset.splits, classNames: [], error: o.dataset.error })
    } catch (err) {
      useNotificationsStore().error(err)
    } finally {
      loading.value = false
    }
  }

  function openRun(): string {
    if (!runId.value) throw new Error('No run is open: choose a run to explain.')
    return runId.value
  }
  /** A request for the open run at the shared epoch. */
  type AtEpoch<M extends MethodName> = Omit<RequestOf<M>, 'runId' | 'epoch'>

  const occlusion = (request: AtEpoch<'explain.occlusion'>) => api.call('explain.occlusion', { runId: openRun(), epoch: epoch.value, ...request })
  const gradients = (request: AtEpoch<'explain.gradients'>) => api.call('explain.gradients', { runId: openRun(), epoch: epoch.value, ...request })
  const project = (request: AtEpoch<'explain.project'>) => api.call('explain.project', { runId: openRun(), epoch: epoch.value, ...request })
  const invariance = (request: AtEpoch<'explain.invariance'>) => api.call('explain.invariance', { runId: openRun(), epoch: epoch.value, ...request })
  const pointing = (request: AtEpoch<'explain.pointing'>) => api.call('explain.pointing', { runId: openRun(), epoch: epoch.value, ...request })
  /** The top 9 over the epochs named (not only the shared one). */
  const top9 = (request: Omit<RequestOf<'explain.top9'>, 'runId'>) => api.call('explain.top9', { runId: openRun(), ...request })

  return { runId, overview, loading, epoch, open, occlusion, gradients, project, invariance, pointing, top9 }
})

import type { RequestOf } from '../../../../src-shared/contract'
import { useApi } from '../../shared/useApi'

/** The Early exit page's requests: the run's layers and last result, a new experiment, feature-map training. */
export function useEarlyExitRequests() {
  const api = useApi()
  return {
    /** The run's layers, to offer its conv layers. */
    overview: (runId: string) => api.call('inspect.overview', { runId }),
    /** The run's latest stored result, or null. */
    latest: (runId: string) => api.call('earlyExit.latest', { runId }),
    run: (request: RequestOf<'earlyExit.run'>) => api.call('earlyExit.run', request),
    featureMapTrain: (request: RequestOf<'earlyExit.featureMapTrain'>) => api.call('earlyExit.featureMapTrain', request)
  }
}

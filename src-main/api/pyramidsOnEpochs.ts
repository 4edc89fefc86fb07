import { pyramidPreparer } from '../engine/analysis/weights/weightData'
import type { ApiContext } from './context'

/**
 * Prepares the pyramids of big weights as each epoch is stored, while training runs in its own
 * process and the host is idle, so opening the inspector afterwards paints big maps at once.
 * `prepare` is where the work runs: here by default, or in the host's analysis worker.
 */
export function preparePyramidsOnEpochs(context: ApiContext, prepare: (runId: string, epoch: number) => void = pyramidPreparer(context.db)): () => void {
  return context.events.subscribe((name, payload) => {
    if (name !== 'runs.epoch') return
    const { runId, metrics } = payload as { runId: string; metrics: { epoch: number } }
    prepare(runId, metrics.epoch)
  })
}

import type { RunSummary } from '../../src-shared/run'
import type { OpenApi } from '../../src-main/api/openApi'
import { openTestApi } from './workspace'

/**
 * A real LeNet-5 run on the bundled MNIST, trained the way seed 000 asks (half of each class,
 * here capped at a few hundred images and one epoch), in a fresh workspace. The early-exit
 * tests share it; the other half of the training split is the query set.
 */
export async function trainEarlyExitRun(options: { limit?: number; epochs?: number } = {}): Promise<{ api: OpenApi; run: RunSummary }> {
  const api = openTestApi()
  const started = await api.call('runs.start', {
    config: { dataset: 'mnist', model: { name: 'lenet5' }, epochs: options.epochs ?? 1, fractionPerClass: 0.5, limit: options.limit ?? 400, batchSize: 32, validationSplit: 0, seed: 3 }
  })
  await api.context.jobs.whenIdle()
  const run = await api.call('runs.get', { id: started.id })
  if (run.status !== 'completed') throw new Error(`training run ${run.id} ended ${run.status}: ${run.statusReason}`)
  return { api, run }
}

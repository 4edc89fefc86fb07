/**
 * Runs estimateRun in a worker thread, so timing a large model's training steps never stalls
 * the host's other requests. It serves one call, 'estimate', for the config in its workerData.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { ApiError } from '../../../src-shared/errors'
import { createEndpoint } from '../../../src-shared/rpc/endpoint'
import { threadTransport } from '../../../src-shared/rpc/nodePorts'
import type { TrainConfig } from '../../../src-shared/run'
import { estimateRun } from './estimateRun'

if (!parentPort) throw new Error('estimateWorker runs only as a worker thread')
createEndpoint(threadTransport(parentPort), {
  serve: () => estimateRun(workerData as TrainConfig),
  toErrorShape: (err) => (err instanceof ApiError ? err.toJSON() : { code: 'internal', message: err instanceof Error ? err.message : String(err) })
})

/**
 * Runs estimateRun in a worker thread, so timing a large model's training steps never stalls
 * the host's other requests. Replies { ok, value } or { ok: false, error }.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { ApiError } from '../../../src-shared/errors'
import type { TrainConfig } from '../../../src-shared/run'
import { estimateRun } from './estimateRun'

const port = parentPort
if (!port) throw new Error('estimateWorker runs only as a worker thread')
estimateRun(workerData as TrainConfig).then(
  (value) => port.postMessage({ ok: true, value }),
  (err: unknown) => port.postMessage({ ok: false, error: { code: err instanceof ApiError ? err.code : 'internal', message: err instanceof Error ? err.message : String(err) } })
)

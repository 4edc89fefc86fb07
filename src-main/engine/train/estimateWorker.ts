/**
 * Runs estimateRun in a worker thread, so timing a large model's training steps never stalls
 * the host's other requests (see inOwnWorker).
 */
import type { TrainConfig } from '../../../src-shared/run'
import { serveJobs } from '../tasks/ownWorker'
import { estimateRun } from './estimateRun'

serveJobs((config: TrainConfig) => estimateRun(config))

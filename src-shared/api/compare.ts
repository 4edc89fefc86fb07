import { z } from 'zod'
import {
  AttentionRequest,
  AttentionResult,
  CkaEpochsRequest,
  CkaEpochsResult,
  CkaRequest,
  CkaResult,
  CompareOverview,
  WeightHistogramsRequest,
  WeightHistogramsResult
} from '../compare'

const pairOfRuns = z.object({ a: z.string().min(1), b: z.string().min(1) }).strict()

/** Two runs side by side. Long computations report task.progress by taskId and stop with task.cancel. */
export const compareMethods = {
  /** Both runs' settings, curves, layers and weights, and what they have in common. */
  'compare.overview': { request: pairOfRuns, response: CompareOverview },
  /** Layer × layer linear CKA of A against B and of each run against itself, at one epoch. Cached. */
  'compare.cka': { request: CkaRequest, response: CkaResult },
  /** Per-layer CKA across epochs: against each run's last epoch, and A against B. Cached. */
  'compare.ckaEpochs': { request: CkaEpochsRequest, response: CkaEpochsResult },
  /** Where each model looks: mean feature-map energy of a layer over a sample, at input size. Cached. */
  'compare.attention': { request: AttentionRequest, response: AttentionResult },
  /** Histograms of one weight in both runs, per epoch, on shared bins. */
  'compare.weightHistograms': { request: WeightHistogramsRequest, response: WeightHistogramsResult }
} as const

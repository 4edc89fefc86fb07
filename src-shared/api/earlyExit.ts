import { z } from 'zod'
import { DescriptorsRequest, DescriptorsResult, EarlyExitRequest, EarlyExitResult, FeatureMapTrainRequest, FeatureMapTrainResult } from '../earlyExit'

/** Early exit by feature-map similarity and the model trained on feature maps (seed 000). Long work reports task.progress. */
export const earlyExitMethods = {
  /** Extracts (or resumes extracting) the descriptors of the run's training images into the workspace. */
  'earlyExit.descriptors': { request: DescriptorsRequest, response: DescriptorsResult },
  /** The early-exit experiment: statistics, sweeps, measured latencies and the sentence. Cached. */
  'earlyExit.run': { request: EarlyExitRequest, response: EarlyExitResult },
  /** The last early-exit result computed for a run, or null; computes nothing. */
  'earlyExit.latest': { request: z.object({ runId: z.string().min(1) }).strict(), response: EarlyExitResult.nullable() },
  /** Experiment 2: a model trained on a conv layer's feature maps against the same model trained on images. */
  'earlyExit.featureMapTrain': { request: FeatureMapTrainRequest, response: FeatureMapTrainResult }
} as const

/**
 * Early exit by feature-map similarity (seed 000, Park & Kim 2019) and the model trained on
 * feature maps: requests and results, shared by the API, the CLI and the Early exit page.
 */
import { z } from 'zod'
import { TaskId } from './api/tasks'

export const StrategyName = z.enum(['knn', 'centroid', 'confidence'])
export type StrategyName = z.infer<typeof StrategyName>

export const STRATEGY_LABELS: Record<StrategyName, string> = { knn: 'k nearest neighbours', centroid: 'class centroids', confidence: 'softmax head (BranchyNet-style)' }

const runId = z.string().min(1)
const finite = (what: string) => z.number({ error: `${what} must be a number` }).refine(Number.isFinite, `${what} must be a finite number`)
const layers = z.array(z.string().min(1)).min(1).optional()

export const DescriptorsRequest = z
  .object({
    runId,
    /** Default: the run's last epoch. */
    epoch: z.number().int().min(0).optional(),
    /** Conv layers; default every conv layer before the flatten. */
    layers,
    batchSize: z.number().int().min(1).max(1024).default(64),
    taskId: TaskId.optional()
  })
  .strict()
export type DescriptorsRequestInput = z.input<typeof DescriptorsRequest>

export const DescriptorLayerInfo = z.object({ layer: z.string(), count: z.number().int(), dim: z.number().int() })

export const DescriptorsResult = z.object({
  runId: z.string(),
  epoch: z.number().int(),
  images: z.number().int(),
  extracted: z.number().int(),
  source: z.string(),
  layers: z.array(DescriptorLayerInfo)
})
export type DescriptorsResult = z.infer<typeof DescriptorsResult>

export const EarlyExitRequest = z
  .object({
    runId,
    epoch: z.number().int().min(0).optional(),
    layers,
    strategies: z.array(StrategyName).min(1).default(['knn', 'centroid', 'confidence']),
    /** The operating threshold for every chosen strategy; absent: each strategy's best within 1 pt of full accuracy. */
    threshold: finite('threshold').optional(),
    /** Global cap on the match's cosine distance; absent for none. */
    globalDistance: finite('globalDistance').optional(),
    k: z.number().int().min(1).max(100).default(5),
    confidenceMeasure: z.enum(['probability', 'entropy']).default('probability'),
    /** Query images (the images the run did not train on). */
    queries: z.number().int().min(1).max(20000).default(500),
    /** Batch size of the batched latency. */
    batch: z.number().int().min(2).max(1024).default(64),
    seed: z.number().int().min(0).default(0),
    taskId: TaskId.optional()
  })
  .strict()
export type EarlyExitRequestInput = z.input<typeof EarlyExitRequest>
export type EarlyExitRequest = z.output<typeof EarlyExitRequest>

export const Latency = z.object({
  /** Milliseconds per image. */
  mean: z.number(),
  p95: z.number()
})
export const LatencySplit = z.object({ stages: z.number(), descriptor: z.number(), search: z.number() })

export const SweepPoint = z.object({
  threshold: z.number(),
  accuracy: z.number(),
  /** Mean ms per image at batch 1: each image's measured stage, descriptor and search times up to its exit. */
  meanLatencyMs: z.number(),
  hitRate: z.number(),
  perLayerHitRate: z.array(z.number())
})
export type SweepPoint = z.infer<typeof SweepPoint>

export const LayerStats = z.object({ layer: z.string(), hits: z.number().int(), hitRate: z.number(), accuracy: z.number().nullable() })

export const StrategyResult = z.object({
  strategy: StrategyName,
  thresholdName: z.string(),
  threshold: z.number(),
  chosenBy: z.enum(['given', 'best within 1 pt', 'most accurate']),
  accuracy: z.number(),
  hitRate: z.number(),
  perLayer: z.array(LayerStats),
  batch1: Latency.extend({ split: LatencySplit }),
  batched: Latency.extend({ split: LatencySplit }),
  speedup: z.number(),
  speedupBatched: z.number(),
  confusion: z.array(z.array(z.number().int())),
  sweep: z.array(SweepPoint),
  sentence: z.string()
})
export type StrategyResult = z.infer<typeof StrategyResult>

export const EarlyExitResult = z.object({
  runId: z.string(),
  epoch: z.number().int(),
  layers: z.array(z.string()),
  classNames: z.array(z.string()),
  queries: z.number().int(),
  querySource: z.string(),
  referenceSource: z.string(),
  batch: z.number().int(),
  full: z.object({ accuracy: z.number(), batch1: Latency, batched: Latency, confusion: z.array(z.array(z.number().int())) }),
  strategies: z.array(StrategyResult),
  sentence: z.string(),
  computedAt: z.string()
})
export type EarlyExitResult = z.infer<typeof EarlyExitResult>

export const FeatureMapTrainRequest = z
  .object({
    runId,
    epoch: z.number().int().min(0).optional(),
    classes: z.tuple([z.number().int().min(0), z.number().int().min(0)]),
    layer: z.string().min(1),
    epochs: z.number().int().min(1).max(50).default(2),
    batchSize: z.number().int().min(1).max(1024).default(32),
    learningRate: z.number().positive().max(1).default(1e-3),
    /** At most this many training images of the two classes (default: all the run trained on). */
    limit: z.number().int().min(2).optional(),
    seed: z.number().int().min(0).default(42),
    taskId: TaskId.optional()
  })
  .strict()
export type FeatureMapTrainRequest = z.output<typeof FeatureMapTrainRequest>
export type FeatureMapTrainRequestInput = z.input<typeof FeatureMapTrainRequest>

export const TrainedModelRow = z.object({
  kind: z.enum(['feature maps', 'images']),
  runId: z.string(),
  accuracy: z.number(),
  loss: z.number(),
  trainingSeconds: z.number(),
  trainImages: z.number().int(),
  testImages: z.number().int()
})
export type TrainedModelRow = z.infer<typeof TrainedModelRow>

export const FeatureMapTrainResult = z.object({
  runId: z.string(),
  layer: z.string(),
  classes: z.tuple([z.string(), z.string()]),
  /** [h, w, c] of the feature maps the new model takes. */
  mapShape: z.array(z.number().int()),
  rows: z.tuple([TrainedModelRow, TrainedModelRow]),
  sentence: z.string()
})
export type FeatureMapTrainResult = z.infer<typeof FeatureMapTrainResult>

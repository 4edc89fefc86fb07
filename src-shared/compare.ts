import { z } from 'zod'
import { TaskId } from './api/tasks'
import { SplitName } from './dataset'
import { EpochMetrics, RunSummary } from './run'

/**
 * Types of the run comparison (issue 7): two runs side by side, representation similarity
 * (linear CKA) layer by layer and across epochs, where each model looks, and weight histograms.
 */

const runId = z.string().min(1, 'give a run id ("featurelens runs list" shows them)')

/** Which examples the activations are computed on; the same ones for both runs. */
export const ExampleChoice = z
  .object({
    /** Absent: the test split when the dataset has one, else val, else train or all. */
    split: SplitName.optional(),
    /** Drawn at random (seeded) from the split; all of it when the split is smaller. */
    count: z.number().int().min(4, 'CKA needs at least 4 examples').max(50_000).default(256),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0)
  })
  .strict()
export type ExampleChoice = z.output<typeof ExampleChoice>
export type ExampleChoiceInput = z.input<typeof ExampleChoice>

/**
 * 'full': exact linear CKA on all examples at once. 'minibatch': unbiased HSIC averaged over
 * batches (Nguyen et al. 2021), memory independent of the example count. 'auto' picks full when
 * the Gram matrices fit the memory budget.
 */
export const CkaEstimator = z.enum(['auto', 'full', 'minibatch'])
export type CkaEstimator = z.infer<typeof CkaEstimator>

const ckaOptions = {
  a: runId,
  b: runId,
  examples: ExampleChoice.default({ count: 256, seed: 0 }),
  /** Layer names to compare; absent means every conv, pooling, dense and residual-add layer. */
  layers: z.array(z.string().min(1)).min(1).max(200).optional(),
  estimator: CkaEstimator.default('auto'),
  /** Minibatch size for the minibatch estimator (unbiased HSIC needs more than 3). */
  batchSize: z.number().int().min(8).max(4096).default(256),
  /** Lets the caller follow task.progress events and cancel with task.cancel. */
  taskId: TaskId.optional()
}

export const CkaRequest = z
  .object({
    ...ckaOptions,
    /** Epoch of both runs; absent means the last epoch both have. */
    epoch: z.number().int().min(0).optional()
  })
  .strict()
export type CkaRequest = z.input<typeof CkaRequest>

export const CkaEpochsRequest = z.object(ckaOptions).strict()
export type CkaEpochsRequest = z.input<typeof CkaEpochsRequest>

/** How a CKA result was computed, so it can be reported and cached. */
export const CkaMethod = z.object({
  estimator: z.enum(['full', 'minibatch']),
  /** Rows per minibatch (the whole sample for 'full'). */
  batchSize: z.number().int(),
  batches: z.number().int(),
  split: SplitName,
  /** Examples used: the requested count, or the whole split when it is smaller. */
  examples: z.number().int(),
  seed: z.number().int(),
  seconds: z.number(),
  /** True when the result came from the workspace's analysis cache. */
  cached: z.boolean()
})
export type CkaMethod = z.infer<typeof CkaMethod>

/** A layer's CKA against B's layer of the same name, with its 95 % interval (null where there is none). */
export const LayerCka = z.object({ layer: z.string(), cka: z.number().nullable(), low: z.number().nullable(), high: z.number().nullable() })
export type LayerCka = z.infer<typeof LayerCka>

/**
 * Percentile bootstrap intervals of each CKA value: the examples resampled with replacement (the
 * full estimator), or the minibatches resampled (the minibatch one).
 */
export const CkaIntervals = z.object({
  /** layersA × layersB, row-major like `cross`. */
  low: z.instanceof(Float32Array),
  high: z.instanceof(Float32Array),
  level: z.number(),
  replicates: z.number().int(),
  resampled: z.enum(['examples', 'batches'])
})
export type CkaIntervals = z.infer<typeof CkaIntervals>

export const CkaResult = z.object({
  a: z.string(),
  b: z.string(),
  epoch: z.number().int(),
  layersA: z.array(z.string()),
  layersB: z.array(z.string()),
  /** layersA × layersB, row-major: CKA of A's layer i against B's layer j. NaN: undefined. */
  cross: z.instanceof(Float32Array),
  /** layersA × layersA: run A against itself. */
  selfA: z.instanceof(Float32Array),
  /** layersB × layersB: run B against itself. */
  selfB: z.instanceof(Float32Array),
  /** CKA of each layer of A against the layer of the same name in B, in A's order. */
  perLayer: z.array(LayerCka),
  /** Intervals of `cross`; null when they could not be had (then intervalNote says why). */
  crossInterval: CkaIntervals.nullable(),
  intervalNote: z.string().nullable(),
  method: CkaMethod
})
export type CkaResult = z.infer<typeof CkaResult>

export const CkaEpochsResult = z.object({
  a: z.string(),
  b: z.string(),
  /** Layers both runs have, in network order. */
  layers: z.array(z.string()),
  /** Epochs both runs have, 0 (initial weights) to the last; the last is the reference. */
  epochs: z.array(z.number().int()),
  /** layers × epochs, row-major: layer at epoch e of A against the same layer at A's last epoch. */
  vsFinalA: z.instanceof(Float32Array),
  vsFinalB: z.instanceof(Float32Array),
  /** layers × epochs: A against B, same layer, same epoch. */
  aVsB: z.instanceof(Float32Array),
  method: CkaMethod
})
export type CkaEpochsResult = z.infer<typeof CkaEpochsResult>

export const LayerInfo = z.object({
  name: z.string(),
  className: z.string(),
  /** Output shape without the batch axis, e.g. [20, 20, 32] or [1024]. */
  shape: z.array(z.number().int()),
  /** Compared by default in CKA (conv, pooling, dense, residual add). */
  representation: z.boolean()
})
export type LayerInfo = z.infer<typeof LayerInfo>

export const WeightInfo = z.object({ name: z.string(), shape: z.array(z.number().int()) })

const RunSide = z.object({
  run: RunSummary,
  epochs: z.array(EpochMetrics),
  layers: z.array(LayerInfo),
  input: z.object({ height: z.number().int(), width: z.number().int(), channels: z.number().int() }),
  weights: z.array(WeightInfo)
})

export const CompareOverview = z.object({
  a: RunSide,
  b: RunSide,
  /** Both runs were started together as a pair (seed 004). */
  samePair: z.boolean(),
  /** Layer names both runs have, in A's order. */
  commonLayers: z.array(z.string()),
  /** Weight names both runs have with the same shape, in A's order. */
  commonWeights: z.array(z.string()),
  /** Epochs complete in both runs. */
  commonEpochs: z.array(z.number().int()),
  dataset: z.object({
    path: z.string(),
    splits: z.array(z.object({ name: SplitName, count: z.number().int() })),
    defaultSplit: SplitName,
    /** Attributes with evidence masks (synthetic faces); empty for other datasets. */
    evidence: z.array(z.string())
  }),
  /** Why the two runs cannot be compared on activations (different datasets…), if so. */
  problem: z.string().nullable()
})
export type CompareOverview = z.infer<typeof CompareOverview>

export const AttentionRequest = z
  .object({
    a: runId,
    b: runId,
    /** Absent: the last epoch both runs have. */
    epoch: z.number().int().min(0).optional(),
    /** A layer with spatial output (h × w × c); absent: a late conv layer at least 4×4. */
    layer: z.string().min(1).optional(),
    examples: ExampleChoice.default({ count: 128, seed: 0 }),
    taskId: TaskId.optional()
  })
  .strict()
export type AttentionRequest = z.input<typeof AttentionRequest>

export const RegionEnergy = z.object({
  attribute: z.string(),
  /** Mean share of the image area inside the region (what uniform energy would give). */
  area: z.number(),
  /** Mean share of each model's feature-map energy inside the region. */
  shareA: z.number(),
  shareB: z.number()
})
export type RegionEnergy = z.infer<typeof RegionEnergy>

export const AttentionResult = z.object({
  layer: z.string(),
  epoch: z.number().int(),
  /** Input size: the maps below are height × width, row-major. */
  height: z.number().int(),
  width: z.number().int(),
  /** The layer's own spatial size before upsampling. */
  mapHeight: z.number().int(),
  mapWidth: z.number().int(),
  /** Mean feature-map energy over the sample, upsampled; 1 = the image-wide average. */
  energyA: z.instanceof(Float32Array),
  energyB: z.instanceof(Float32Array),
  /** Mean input image in grey, 0..1, to show the maps over. */
  meanImage: z.instanceof(Float32Array),
  /** Energy share inside each evidence region (synthetic faces only). */
  regions: z.array(RegionEnergy),
  split: SplitName,
  examples: z.number().int(),
  seed: z.number().int(),
  cached: z.boolean()
})
export type AttentionResult = z.infer<typeof AttentionResult>

export const WeightHistogramsRequest = z
  .object({
    a: runId,
    b: runId,
    /** A weight name as listed in the overview (e.g. "block3_conv1/kernel"). */
    weight: z.string().min(1),
    bins: z.number().int().min(4).max(512).default(60)
  })
  .strict()
export type WeightHistogramsRequest = z.input<typeof WeightHistogramsRequest>

export const WeightHistogramsResult = z.object({
  weight: z.string(),
  shape: z.array(z.number().int()),
  /** Epochs both runs have; row e of the counts below is epochs[e]. */
  epochs: z.array(z.number().int()),
  /** bins + 1 shared edges, over both runs and all epochs. */
  edges: z.instanceof(Float64Array),
  /** epochs × bins, row-major. */
  countsA: z.instanceof(Uint32Array),
  countsB: z.instanceof(Uint32Array)
})
export type WeightHistogramsResult = z.infer<typeof WeightHistogramsResult>

/**
 * What to call the two runs of a comparison on figures and pages: what each was trained to tell
 * (Smiling, Male) when they learn different attributes, else their names; "A"/"B" only to tell
 * apart two runs of the same name.
 */
export function pairNames(a: RunSummary, b: RunSummary): { a: string; b: string } {
  const la = a.config.label
  const lb = b.config.label
  if (la.kind === 'attribute' && lb.kind === 'attribute' && la.attribute !== lb.attribute) return { a: la.attribute, b: lb.attribute }
  if (a.name !== b.name) return { a: a.name, b: b.name }
  return { a: `${a.name} (A)`, b: `${b.name} (B)` }
}

import { z } from 'zod'
import { BackendName } from './backend'
import { LabelSpec } from './dataset'
import { ModelSource, ModelSpec } from './model'

export const runStatuses = ['queued', 'running', 'completed', 'cancelled', 'interrupted', 'failed'] as const
export const RunStatus = z.enum(runStatuses)
export type RunStatus = z.infer<typeof RunStatus>

export const OptimizerName = z.enum(['adam', 'sgd'])
export const LossName = z.enum(['auto', 'categoricalCrossentropy', 'binaryCrossentropy', 'meanSquaredError'])
export type LossName = z.infer<typeof LossName>

/** Everything that defines a training run. Two runs of a pair differ only in `label`. */
export const TrainConfig = z
  .object({
    name: z.string().trim().max(120).optional(),
    /** A dataset folder, or "mnist" for the bundled MNIST; may be empty for an opened model (source). */
    dataset: z.string().trim(),
    label: LabelSpec.default({ kind: 'class' }),
    model: ModelSpec,
    optimizer: OptimizerName.default('adam'),
    learningRate: z.number().positive('the learning rate must be above 0').max(10).default(1e-3),
    /** SGD momentum; ignored by Adam. */
    momentum: z.number().min(0).max(0.999).default(0.9),
    /** "auto": cross-entropy for classes, binary cross-entropy for an attribute. */
    loss: LossName.default('auto'),
    batchSize: z.number().int().min(1).max(4096).default(64),
    epochs: z.number().int().min(1).max(1000).default(5),
    /** At most this many training images (after the per-class fraction). */
    limit: z.number().int().positive().optional(),
    /** Use this fraction of each class for training, e.g. 0.5 for "half of each class" (seed 000). */
    fractionPerClass: z.number().gt(0).max(1).optional(),
    /** Fraction of the training images held out for validation. */
    validationSplit: z.number().min(0).max(0.5).default(0.1),
    /** Fixes the initial weights and the shuffling. */
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
    /** Compute backend for this run; absent means the best that loads. */
    backend: BackendName.optional(),
    /** Set for a model run: a model opened as it is, not trained here. */
    source: ModelSource.optional()
  })
  .strict()
  .superRefine((config, ctx) => {
    if (!config.source && config.dataset.length === 0) ctx.addIssue({ code: 'custom', path: ['dataset'], message: 'choose a dataset folder (or "mnist")' })
  })
export type TrainConfig = z.output<typeof TrainConfig>
export type TrainConfigInput = z.input<typeof TrainConfig>

export const EpochMetrics = z.object({
  epoch: z.number().int().nonnegative(),
  trainLoss: z.number().nullable(),
  trainAccuracy: z.number().nullable(),
  valLoss: z.number().nullable(),
  valAccuracy: z.number().nullable(),
  testLoss: z.number().nullable(),
  testAccuracy: z.number().nullable(),
  imagesPerSecond: z.number().nullable(),
  durationMs: z.number().nullable()
})
export type EpochMetrics = z.infer<typeof EpochMetrics>

export const RunSummary = z.object({
  id: z.string(),
  name: z.string(),
  pairId: z.string().nullable(),
  status: RunStatus,
  statusReason: z.string().nullable(),
  config: TrainConfig,
  /** Completed epochs after epoch 0 (the initial weights). */
  epochsCompleted: z.number().int().nonnegative(),
  lastMetrics: EpochMetrics.nullable(),
  /** What the latest training session computed on, e.g. "webgpu on nvidia ampere (…)"; null before training. */
  compute: z.string().nullable().optional(),
  createdAt: z.string(),
  updatedAt: z.string()
})
export type RunSummary = z.infer<typeof RunSummary>

export const LayerWeightInfo = z.object({
  position: z.number().int(),
  name: z.string(),
  shape: z.array(z.number().int()),
  dtype: z.string(),
  byteLength: z.number().int()
})
export type LayerWeightInfo = z.infer<typeof LayerWeightInfo>

export const RunDetail = RunSummary.extend({
  epochs: z.array(EpochMetrics),
  /** Batch losses of every stored epoch, for the loss curve. */
  batchLosses: z.array(z.object({ epoch: z.number().int(), losses: z.instanceof(Float32Array) })),
  weights: z.array(LayerWeightInfo),
  storageBytes: z.number().int()
})
export type RunDetail = z.infer<typeof RunDetail>

export const RunProgress = z.object({
  runId: z.string(),
  phase: z.enum(['preparing', 'training', 'evaluating', 'saving']),
  epoch: z.number().int(),
  epochs: z.number().int(),
  batch: z.number().int(),
  batches: z.number().int(),
  loss: z.number().nullable(),
  imagesPerSecond: z.number().nullable(),
  /** Fraction of the whole run done, 0..1. */
  fraction: z.number().min(0).max(1),
  etaSeconds: z.number().nullable(),
  message: z.string().optional()
})
export type RunProgress = z.infer<typeof RunProgress>

export const RunStatusEvent = z.object({ runId: z.string(), status: RunStatus, reason: z.string().nullable() })
export type RunStatusEvent = z.infer<typeof RunStatusEvent>

export const RunEpochEvent = z.object({ runId: z.string(), metrics: EpochMetrics })
export type RunEpochEvent = z.infer<typeof RunEpochEvent>

/** What a run will cost, from its parameter count and a quick timing of training steps on this machine. */
export const RunEstimate = z.object({
  parameters: z.number().int().nonnegative(),
  trainImages: z.number().int().nonnegative(),
  /** Validation and test images, evaluated after every epoch. */
  evalImages: z.number().int().nonnegative(),
  threads: z.number().int().positive(),
  imagesPerSecond: z.number().positive(),
  secondsPerEpoch: z.number().nonnegative(),
  /** Weights and optimizer state stored with every epoch. */
  bytesPerEpoch: z.number().nonnegative(),
  /** Reasons to reconsider the settings, in words a person reads; empty when none. */
  warnings: z.array(z.string())
})
export type RunEstimate = z.infer<typeof RunEstimate>

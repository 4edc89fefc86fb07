import { z } from 'zod'
import type { BackendName } from '../../../src-shared/backend'
import type { ModelInputShape, ModelSpec } from '../../../src-shared/model'
import type { Objective } from './objective'

/** What a gradient worker needs to build its replica of the model (workerData). */
export interface ShardWorkerSetup {
  backend: BackendName
  spec: ModelSpec
  input: ModelInputShape
  objective: Objective
  seed: number
  /** Shapes of the trainable weights, in model.trainableWeights order, to check the replica against. */
  shapes: number[][]
  /** The current trainable weights, concatenated; written by the main thread. */
  weights: SharedArrayBuffer
  /** This worker's gradients, concatenated; written by the worker. */
  grads: SharedArrayBuffer
  /** The workspace database, for a model that starts from a stored run (spec.fromRun). */
  database?: string
}

/** One shard of a step, for a gradient worker; checked by the worker as it arrives. */
export const ShardRequest = z.object({
  /** Bumped by the main thread whenever `weights` changed. */
  version: z.number().int(),
  /** The run's step and this shard's index, which seed its dropout masks. */
  step: z.number().int().nonnegative(),
  shard: z.number().int().positive(),
  x: z.instanceof(Float32Array),
  y: z.instanceof(Float32Array),
  size: z.number().int().positive()
})
export type ShardRequest = z.infer<typeof ShardRequest>

/** A worker's answer to a step: its shard's loss and correct count (its gradients are in `grads`). */
export const ShardOutcome = z.object({
  // A diverging run's loss is NaN or infinite; the training loop reports that, so it crosses as it is.
  loss: z.custom<number>((value) => typeof value === 'number', 'must be a number'),
  correct: z.number()
})

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

export type ShardRequest = {
  t: 'step'
  /** Bumped by the main thread whenever `weights` changed. */
  version: number
  /** The run's step and this shard's index, which seed its dropout masks. */
  step: number
  shard: number
  x: Float32Array
  y: Float32Array
  size: number
}

export type ShardReply =
  | { t: 'ready' }
  | { t: 'done'; loss: number; correct: number }
  | { t: 'error'; message: string }

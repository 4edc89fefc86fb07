import * as tf from '@tensorflow/tfjs'
import type { ModelInputShape } from '../../../src-shared/model'
import { dropoutSeeder } from './dropoutSeeds'
import { correctCount, lossTensor, type Objective } from './objective'

/** What one training step on a batch reports: its mean loss and how many it got right. */
export interface StepOutcome {
  loss: number
  correct: number
}

/** Trains the model on one batch at a time; `x` and `y` hold `size` images and labels, row-major. */
export interface TrainStep {
  /** Threads that compute each batch (1, or more with data-parallel gradient workers). */
  readonly threads: number
  /** `step` counts batches over the whole run; it seeds the dropout masks. */
  run(x: Float32Array, y: Float32Array, size: number, step?: number): Promise<StepOutcome>
  close(): Promise<void>
}

export function batchTensors(input: ModelInputShape, x: Float32Array, y: Float32Array, size: number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  return {
    xs: tf.tensor4d(x, [size, input.height, input.width, input.channels]),
    ys: tf.tensor2d(y, [size, y.length / size])
  }
}

/**
 * The function whose gradient a step takes (`loss`: the batch's mean loss). The batch's correct
 * count is kept out of the tape's clean-up; `correct` gives it once the loss has run (the caller disposes it).
 */
export function lossOfBatch(model: tf.LayersModel, objective: Objective, xs: tf.Tensor, ys: tf.Tensor): { loss: () => tf.Scalar; correct: () => tf.Scalar } {
  let kept: tf.Scalar | null = null
  return {
    loss: () => {
      const pred = model.apply(xs, { training: true }) as tf.Tensor
      kept = tf.keep(correctCount(objective, ys, pred))
      return lossTensor(objective, ys, pred)
    },
    correct: () => {
      if (!kept) throw new Error('the count of correct predictions is known only once the loss has run')
      return kept
    }
  }
}

/** The plain step: forward, backward and the optimizer update on this thread. */
export function singleThreadStep(model: tf.LayersModel, optimizer: tf.Optimizer, objective: Objective, input: ModelInputShape, seed = 0): TrainStep {
  const seedDropout = dropoutSeeder(model, seed)
  let count = 0
  return {
    threads: 1,
    async run(x, y, size, step = count) {
      count = step + 1
      seedDropout(step, 0)
      const { xs, ys } = batchTensors(input, x, y, size)
      // Only the trainable layers' weights: minimize() without a list would also move frozen
      // layers (a frozen base, an opened model's fixed preprocessing).
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable)
      const batch = lossOfBatch(model, objective, xs, ys)
      const lossT = optimizer.minimize(batch.loss, true, vars) as tf.Scalar
      const kept = batch.correct()
      const [l, c] = await Promise.all([lossT.data(), kept.data()])
      tf.dispose([xs, ys, lossT, kept])
      return { loss: l[0], correct: c[0] }
    },
    async close() {}
  }
}

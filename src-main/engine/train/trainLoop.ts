import * as tf from '@tensorflow/tfjs'
import type { EpochMetrics, TrainConfig } from '../../../src-shared/run'
import { createRandom, shuffleInPlace } from '../data/random'
import type { EpochRecord, StoredTensor } from '../store/epochStore'
import { snapshotWeights } from '../models/storedModel'
import { correctCount, lossTensor, type Objective } from './objective'
import type { TrainingData, TrainSplit } from './trainingData'
import { batchTensors, singleThreadStep, type TrainStep } from './trainStep'

export interface BatchProgress {
  phase: 'training' | 'evaluating'
  epoch: number
  batch: number
  batches: number
  loss: number | null
  imagesPerSecond: number | null
  /** Seconds of training work still ahead, from the pace so far. */
  etaSeconds: number | null
  fraction: number
}

export interface TrainHooks {
  onProgress(progress: BatchProgress): void
  /** Persist the epoch (atomically). Called for epoch 0 too: the initial weights. */
  commitEpoch(record: EpochRecord): void
  /** Checked between batches; true stops the run, keeping the completed epochs. */
  shouldStop(): boolean
  /** After each commit, with the live tensor count, so leaks show up. */
  afterEpoch?(epoch: number, numTensors: number): void
}

export interface TrainLoopArgs {
  model: tf.LayersModel
  optimizer: tf.Optimizer
  objective: Objective
  data: TrainingData
  config: TrainConfig
  /** The last complete epoch on disk (0 for a fresh run whose epoch 0 is already stored), or -1. */
  resumeFrom: number
  hooks: TrainHooks
  /** How each batch is trained; the plain single-thread step when absent. */
  step?: TrainStep
}

export type TrainOutcome = 'completed' | 'cancelled'

const EVAL_BATCH = 256

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

export async function snapshotOptimizer(optimizer: tf.Optimizer): Promise<StoredTensor[]> {
  const named = await optimizer.getWeights()
  const stored = await Promise.all(
    named.map(async ({ name, tensor }): Promise<StoredTensor> => {
      const values = await tensor.data()
      return {
        name,
        shape: tensor.shape.slice(),
        dtype: tensor.dtype === 'int32' ? 'int32' : 'float32',
        data: tensor.dtype === 'int32' ? new Int32Array(values) : new Float32Array(values)
      }
    })
  )
  // getWeights() makes a fresh tensor for the iteration count; the slots are live variables.
  tf.dispose(named.filter(({ tensor }) => !(tensor instanceof tf.Variable)).map(({ tensor }) => tensor))
  return stored
}

async function evaluate(args: TrainLoopArgs, split: TrainSplit, onBatch: (batch: number, batches: number) => void): Promise<{ loss: number; accuracy: number } | null> {
  const { data, model, objective } = args
  const count = data.counts[split]
  if (count === 0) return null
  const batches = Math.ceil(count / EVAL_BATCH)
  let lossSum = 0
  let correct = 0
  for (let b = 0; b < batches; b++) {
    const start = b * EVAL_BATCH
    const positions = Int32Array.from({ length: Math.min(EVAL_BATCH, count - start) }, (_, i) => start + i)
    await yieldToEventLoop()
    const batch = await data.read(split, positions)
    const [lossT, correctT] = tf.tidy(() => {
      const { xs, ys } = batchTensors(data.input, batch.x, batch.y, batch.size)
      const pred = model.predict(xs) as tf.Tensor
      return [tf.mul(lossTensor(objective, ys, pred), batch.size), correctCount(objective, ys, pred)]
    })
    const [l, c] = await Promise.all([lossT.data(), correctT.data()])
    tf.dispose([lossT, correctT])
    lossSum += l[0]
    correct += c[0]
    onBatch(b + 1, batches)
  }
  return { loss: lossSum / count, accuracy: correct / count }
}

async function epochRecord(args: TrainLoopArgs, metrics: EpochMetrics, batchLosses: Float32Array | null): Promise<EpochRecord> {
  return { metrics, batchLosses, weights: await snapshotWeights(args.model), optimizer: await snapshotOptimizer(args.optimizer) }
}

/**
 * The training loop: epoch 0 (initial weights) is stored first, then each epoch trains over a
 * seeded shuffle of the training split, evaluates validation and test, and is committed whole.
 * The next batch is read while the current one computes.
 */
export async function trainLoop(args: TrainLoopArgs): Promise<TrainOutcome> {
  const { data, config, hooks } = args
  const step = args.step ?? singleThreadStep(args.model, args.optimizer, args.objective, data.input)
  const trainCount = data.counts.train
  const batchesPerEpoch = Math.ceil(trainCount / config.batchSize)
  const totalBatches = batchesPerEpoch * config.epochs
  let secondsPerBatch: number | null = null
  // Seconds the last validation and test pass took; every epoch still to come has one.
  let evalSeconds = 0

  const evalProgress = (epoch: number) => (batch: number, batches: number) =>
    hooks.onProgress({ phase: 'evaluating', epoch, batch, batches, loss: null, imagesPerSecond: null, etaSeconds: null, fraction: (epoch * batchesPerEpoch) / totalBatches })

  if (args.resumeFrom < 0) {
    const evalStarted = performance.now()
    const val = await evaluate(args, 'val', evalProgress(0))
    const test = await evaluate(args, 'test', evalProgress(0))
    evalSeconds = (performance.now() - evalStarted) / 1000
    const metrics: EpochMetrics = {
      epoch: 0, trainLoss: null, trainAccuracy: null,
      valLoss: val?.loss ?? null, valAccuracy: val?.accuracy ?? null,
      testLoss: test?.loss ?? null, testAccuracy: test?.accuracy ?? null,
      imagesPerSecond: null, durationMs: null
    }
    hooks.commitEpoch(await epochRecord(args, metrics, null))
    hooks.afterEpoch?.(0, tf.memory().numTensors)
  }

  for (let epoch = Math.max(1, args.resumeFrom + 1); epoch <= config.epochs; epoch++) {
    const order = Int32Array.from({ length: trainCount }, (_, i) => i)
    shuffleInPlace(order, createRandom(config.seed, 1, epoch))
    const losses = new Float32Array(batchesPerEpoch)
    let lossSum = 0
    let correct = 0
    const started = performance.now()
    // The rate is timed from the end of the first batch: that one also pays for warm-up (kernel
    // set-up, the gradient workers' first step), which made the first ETA several times too high.
    let warmedAt: number | null = null
    const positionsOf = (b: number) => order.subarray(b * config.batchSize, Math.min(trainCount, (b + 1) * config.batchSize))
    let next = data.read('train', positionsOf(0))
    for (let b = 0; b < batchesPerEpoch; b++) {
      // wasm reads resolve as microtasks, so without this the whole run would never return to
      // the event loop: a cancel message would wait for the end, and progress would arrive in bursts.
      await yieldToEventLoop()
      if (hooks.shouldStop()) return 'cancelled'
      const batch = await next
      if (b + 1 < batchesPerEpoch) next = data.read('train', positionsOf(b + 1))
      const { loss, correct: right } = await step.run(batch.x, batch.y, batch.size, (epoch - 1) * batchesPerEpoch + b)
      losses[b] = loss
      lossSum += loss * batch.size
      correct += right
      const now = performance.now()
      if (b === 0) warmedAt = now
      else if (warmedAt !== null) secondsPerBatch = (now - warmedAt) / 1000 / b
      const done = (epoch - 1) * batchesPerEpoch + b + 1
      const epochsLeft = config.epochs - epoch + 1
      hooks.onProgress({
        phase: 'training', epoch, batch: b + 1, batches: batchesPerEpoch, loss,
        imagesPerSecond: secondsPerBatch ? config.batchSize / secondsPerBatch : (Math.min(trainCount, (b + 1) * config.batchSize)) / Math.max((now - started) / 1000, 1e-9),
        etaSeconds: secondsPerBatch === null ? null : secondsPerBatch * (totalBatches - done) + evalSeconds * epochsLeft,
        fraction: done / totalBatches
      })
    }
    const trainSeconds = (performance.now() - started) / 1000
    const evalStarted = performance.now()
    const val = await evaluate(args, 'val', evalProgress(epoch))
    const test = await evaluate(args, 'test', evalProgress(epoch))
    evalSeconds = (performance.now() - evalStarted) / 1000
    const metrics: EpochMetrics = {
      epoch, trainLoss: lossSum / trainCount, trainAccuracy: correct / trainCount,
      valLoss: val?.loss ?? null, valAccuracy: val?.accuracy ?? null,
      testLoss: test?.loss ?? null, testAccuracy: test?.accuracy ?? null,
      imagesPerSecond: trainCount / trainSeconds, durationMs: (performance.now() - started)
    }
    hooks.commitEpoch(await epochRecord(args, metrics, losses))
    hooks.afterEpoch?.(epoch, tf.memory().numTensors)
  }
  return 'completed'
}

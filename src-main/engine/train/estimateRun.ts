/**
 * What a run will cost before it starts: time per epoch from a quick timing of real training
 * steps of the model on this machine, and storage per epoch from the parameter count (every
 * epoch stores the weights and the optimizer's state). Shown in the New run form so a user sees
 * "3 hours per epoch" before starting, not after.
 */
import * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../src-shared/errors'
import type { RunEstimate, TrainConfig } from '../../../src-shared/run'
import { initBackend } from '../backend/select'
import { buildModel } from '../models/buildModel'
import { validateModelFit } from './modelFit'
import { openRunDataset, planSplits } from '../data/runDataset'
import { chooseObjective, createOptimizer } from './objective'
import { chooseTrainThreads } from './shardedStep'
import { singleThreadStep } from './trainStep'

/** Above these a warning is shown beside the estimate. */
export const ESTIMATE_LIMITS = { secondsPerEpoch: 10 * 60, bytesPerEpoch: 100 * 1024 * 1024, totalBytes: 1024 * 1024 * 1024 }

// Data-parallel threads do not scale perfectly (the optimizer and the gradient sum run once).
const THREAD_EFFICIENCY = 0.8
// Evaluating an image (forward only) costs about a third of training on it.
const EVAL_COST = 1 / 3

/** Seconds for `steps` training steps of `size` random images, after one untimed warm-up step. */
async function timeSteps(model: tf.LayersModel, config: TrainConfig, objective: ReturnType<typeof chooseObjective>, input: { height: number; width: number; channels: number }, size: number, steps: number): Promise<number> {
  const optimizer = createOptimizer(config.optimizer, config.learningRate, config.momentum)
  const step = singleThreadStep(model, optimizer, objective, input)
  const x = new Float32Array(size * input.height * input.width * input.channels)
  for (let i = 0; i < x.length; i++) x[i] = Math.random()
  const y = new Float32Array(size * objective.numOutputs)
  for (let i = 0; i < size; i++) y[i * objective.numOutputs + (objective.numOutputs > 1 ? i % objective.numOutputs : 0)] = i % 2
  try {
    await step.run(x, y, size)
    const started = performance.now()
    for (let s = 0; s < steps; s++) await step.run(x, y, size)
    return (performance.now() - started) / 1000
  } finally {
    await step.close()
    optimizer.dispose()
  }
}

export async function estimateRun(config: TrainConfig): Promise<RunEstimate> {
  const backend = await initBackend(config.backend ?? null)
  const dataset = await openRunDataset(config)
  const numClasses = config.label.kind === 'class' ? dataset.classNames.length : 2
  const { input } = validateModelFit(config.model, dataset.inputShape, numClasses)
  const plans = planSplits(dataset, config)
  const trainImages = plans.train?.indices.length ?? 0
  const evalImages = (plans.val?.indices.length ?? 0) + (plans.test?.indices.length ?? 0)
  const objective = chooseObjective(config.label.kind, numClasses, config.loss)
  const model = await buildModel(config.model, input, objective.numOutputs, objective.outputActivation, config.seed)
  try {
    const parameters = model.countParams()
    const trainable = model.trainableWeights.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0)
    // Adam keeps two moments per trainable weight, momentum SGD one.
    const slots = config.optimizer === 'adam' ? 2 : 1
    const bytesPerEpoch = 4 * (parameters + slots * trainable)

    // A tiny step first; only a model that is quick at it gets the longer, steadier timing.
    const size = Math.max(1, Math.min(config.batchSize, 8))
    let seconds = await timeSteps(model, config, objective, input, 2, 1)
    let perImage = seconds / 2
    if (seconds < 0.5) {
      seconds = await timeSteps(model, config, objective, input, size, 2)
      perImage = seconds / (2 * size)
    }
    const threads = chooseTrainThreads(backend.chosen, config.batchSize)
    const imagesPerSecond = (threads > 1 ? threads * THREAD_EFFICIENCY : 1) / perImage
    const secondsPerEpoch = (trainImages + evalImages * EVAL_COST) / imagesPerSecond
    const warnings: string[] = []
    if (secondsPerEpoch > ESTIMATE_LIMITS.secondsPerEpoch) {
      warnings.push('each epoch would take long on this machine; a smaller width multiplier, input size or image limit trains much faster')
    }
    if (bytesPerEpoch > ESTIMATE_LIMITS.bytesPerEpoch || bytesPerEpoch * config.epochs > ESTIMATE_LIMITS.totalBytes) {
      warnings.push('every epoch stores all weights and the optimizer state, so this run takes much disk space; a smaller width multiplier or fewer epochs stores less')
    }
    const m = config.model
    if (m.name.startsWith('vgg') && !m.batchNorm) {
      warnings.push('a VGG without batch normalisation can stay at chance for many epochs on a CPU budget; tick Batch normalisation')
    }
    return { parameters, trainImages, evalImages, threads, imagesPerSecond, secondsPerEpoch, bytesPerEpoch, warnings }
  } finally {
    model.dispose()
  }
}

// The estimate being computed: a newer request (the user changed the form again) ends it.
let current: { stop(why: ApiError): void } | null = null

/**
 * estimateRun in a worker thread of its own (its own tfjs), ended when it replies. Only the
 * latest request is computed: starting one stops the one before, which fails with "cancelled".
 */
export async function estimateRunInWorker(config: TrainConfig): Promise<RunEstimate> {
  const { inOwnWorker } = await import('../tasks/ownWorker')
  current?.stop(new ApiError('cancelled', 'a newer estimate replaced this one'))
  let mine: { stop(why: ApiError): void } | null = null
  try {
    return await inOwnWorker<RunEstimate, TrainConfig>(new URL('./estimateWorker.ts', import.meta.url), config, { what: 'the estimate' }, (stop) => {
      mine = { stop }
      current = mine
    })
  } finally {
    if (current === mine) current = null
  }
}

import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { ModelSpec } from '../../src-shared/model'
import { TrainConfig } from '../../src-shared/run'
import { initBackend } from '../../src-main/engine/backend/select'
import { buildModel } from '../../src-main/engine/models/index'
import { validateModelFit } from '../../src-main/engine/train/modelFit'
import { openTrainingData } from '../../src-main/engine/train/datasetTrainingData'
import { chooseObjective, createOptimizer } from '../../src-main/engine/train/objective'
import { createTrainStep, startShardedStep, type ReplicaRecipe } from '../../src-main/engine/train/shardedStep'
import { trainLoop } from '../../src-main/engine/train/trainLoop'
import { singleThreadStep, type TrainStep } from '../../src-main/engine/train/trainStep'

beforeAll(async () => {
  await initBackend('wasm')
})

const input = { height: 28, width: 28, channels: 1 }
const objective = chooseObjective('class', 10, 'auto')
const spec = ModelSpec.parse({ name: 'minimal' })
const recipe: ReplicaRecipe = { backend: 'wasm', spec, input, objective, seed: 5 }

/** A seeded batch of random images with one-hot labels. */
function batch(size: number, seed: number): { x: Float32Array; y: Float32Array } {
  const x = tf.tidy(() => tf.randomUniform([size * 28 * 28], 0, 1, 'float32', seed).dataSync() as Float32Array)
  const y = new Float32Array(size * 10)
  for (let i = 0; i < size; i++) y[i * 10 + ((i * 7 + seed) % 10)] = 1
  return { x, y }
}

async function replica(optimizer: 'sgd' | 'adam') {
  const model = await buildModel(spec, input, objective.numOutputs, objective.outputActivation, recipe.seed)
  return { model, optimizer: createOptimizer(optimizer, optimizer === 'sgd' ? 0.1 : 1e-3, 0) }
}

const weightsOf = (model: tf.LayersModel) => model.trainableWeights.map((w) => w.read().dataSync() as Float32Array)

describe('data-parallel training steps', () => {
  it('give the whole batch gradient: one SGD step on 2 or 3 threads moves the weights as one thread does', async () => {
    const { x, y } = batch(50, 1)
    const plain = await replica('sgd')
    const one = await singleThreadStep(plain.model, plain.optimizer, objective, input).run(x, y, 50)
    const expected = weightsOf(plain.model)
    const moved = expected.some((w, i) => w.some((v, k) => v !== (plain.model.trainableWeights[i].read().dataSync() as Float32Array)[k]))
    expect(moved).toBe(false)
    for (const threads of [2, 3]) {
      const { model, optimizer } = await replica('sgd')
      const before = weightsOf(model)
      const step = await startShardedStep(model, optimizer, recipe, threads)
      const out = await step.run(x.slice(), y.slice(), 50)
      await step.close()
      expect(out.correct).toBe(one.correct)
      expect(out.loss).toBeCloseTo(one.loss, 5)
      weightsOf(model).forEach((w, i) => {
        let largestStep = 0
        let largestError = 0
        w.forEach((v, k) => {
          largestStep = Math.max(largestStep, Math.abs(expected[i][k] - before[i][k]))
          largestError = Math.max(largestError, Math.abs(v - expected[i][k]))
        })
        expect(largestStep, `weight ${i} moved`).toBeGreaterThan(1e-4)
        expect(largestError, `weight ${i} on ${threads} threads`).toBeLessThan(1e-6 + largestStep * 1e-4)
      })
    }
  }, 120_000)

  it('follow the single-thread loss curve with Adam, the same seed and data', async () => {
    const batches = Array.from({ length: 40 }, (_, i) => batch(64, 100 + i))
    const curve = async (make: (model: tf.LayersModel, optimizer: tf.Optimizer) => Promise<TrainStep>) => {
      const { model, optimizer } = await replica('adam')
      const step = await make(model, optimizer)
      const losses: number[] = []
      for (const b of batches) losses.push((await step.run(b.x.slice(), b.y.slice(), 64)).loss)
      await step.close()
      return losses
    }
    const single = await curve(async (m, o) => singleThreadStep(m, o, objective, input))
    const sharded = await curve((m, o) => startShardedStep(m, o, recipe, 2))
    expect(single[39]).toBeLessThan(single[0])
    sharded.forEach((loss, i) => expect(Math.abs(loss - single[i]), `batch ${i}: ${loss} vs ${single[i]}`).toBeLessThan(1e-3 * Math.max(1, single[i])))
  }, 180_000)

  it('refuse a worker whose model differs, naming both weight lists, and the job falls back to one thread', async () => {
    const { model, optimizer } = await replica('adam')
    const other: ReplicaRecipe = { ...recipe, spec: ModelSpec.parse({ name: 'minimal', widthMultiplier: 2 }) }
    await expect(startShardedStep(model, optimizer, other, 2)).rejects.toThrow(/the worker's model has trainable weights \[\[5,5,1,16\].*the job's \[\[5,5,1,8\]/)
    const { step, note } = await createTrainStep(model, optimizer, other, 2)
    expect(step.threads).toBe(1)
    expect(note).toMatch(/training on one thread: gradient workers did not start \(the worker's model/)
  }, 60_000)

  it('train deterministically: two 2-thread runs of the loop end with identical weights', async () => {
    const config = TrainConfig.parse({ dataset: 'mnist', model: { name: 'minimal' }, epochs: 2, batchSize: 64, limit: 640, validationSplit: 0.1, seed: 9 })
    const run = async () => {
      const data = await openTrainingData(config, (shape, classes) => validateModelFit(config.model, shape, classes).input)
      const model = await buildModel(config.model, data.input, objective.numOutputs, objective.outputActivation, config.seed)
      const optimizer = createOptimizer('adam', config.learningRate, 0)
      const { step } = await createTrainStep(model, optimizer, { ...recipe, input: data.input, seed: config.seed }, 2)
      expect(step.threads).toBe(2)
      const valLoss: number[] = []
      await trainLoop({
        model, optimizer, objective, data, config, resumeFrom: -1, step,
        hooks: { onProgress: () => undefined, shouldStop: () => false, commitEpoch: (r) => valLoss.push(r.metrics.valLoss ?? NaN) }
      })
      await step.close()
      return { weights: weightsOf(model), valLoss }
    }
    const a = await run()
    const b = await run()
    expect(a.valLoss[2]).toBeLessThan(a.valLoss[0])
    expect(b.valLoss).toEqual(a.valLoss)
    a.weights.forEach((w, i) => expect(Buffer.compare(Buffer.from(w.buffer), Buffer.from(b.weights[i].buffer))).toBe(0))
  }, 240_000)
})

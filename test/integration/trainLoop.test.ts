import * as tf from '@tensorflow/tfjs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { TrainConfig } from '../../src-shared/run'
import { initBackend } from '../../src-main/engine/backend/select'
import { buildModel } from '../../src-main/engine/models/index'
import { validateModelFit } from '../../src-main/engine/train/modelFit'
import { openWorkspaceDb } from '../../src-main/engine/store/database'
import { commitEpoch, loadTensors } from '../../src-main/engine/store/epochStore'
import { createRun } from '../../src-main/engine/store/runStore'
import { openTrainingData } from '../../src-main/engine/train/datasetTrainingData'
import { chooseObjective, createOptimizer } from '../../src-main/engine/train/objective'
import { trainLoop } from '../../src-main/engine/train/trainLoop'
import { tempDir } from '../support/workspace'

beforeAll(async () => {
  await initBackend()
})

async function train(config: TrainConfig, onCommit: (epoch: number, model: tf.LayersModel) => void, afterEpoch: (epoch: number, numTensors: number) => void) {
  const db = openWorkspaceDb(join(tempDir('fl-loop-'), 'featurelens.sqlite'))
  const runId = createRun(db, config)
  const data = await openTrainingData(config, (shape, classes) => validateModelFit(config.model, shape, classes).input)
  const objective = chooseObjective(data.labelKind, data.classNames.length, config.loss)
  const model = await buildModel(config.model, data.input, objective.numOutputs, objective.outputActivation, config.seed)
  const optimizer = createOptimizer(config.optimizer, config.learningRate, config.momentum)
  await trainLoop({
    model, optimizer, objective, data, config, resumeFrom: -1,
    hooks: {
      onProgress: () => undefined,
      shouldStop: () => false,
      commitEpoch(record) {
        commitEpoch(db, runId, record)
        onCommit(record.metrics.epoch, model)
      },
      afterEpoch
    }
  })
  return { db, runId, model }
}

describe('the training loop', () => {
  it('stores weights that read back bitwise equal to the model at the end of each epoch, without leaking tensors', async () => {
    const config = TrainConfig.parse({ dataset: 'mnist', model: { name: 'minimal' }, epochs: 4, batchSize: 32, limit: 640, seed: 3 })
    const expected = new Map<number, Float32Array[]>()
    const tensors: number[] = []
    const { db, runId } = await train(
      config,
      (epoch, model) => expected.set(epoch, model.getWeights().map((w) => new Float32Array(w.dataSync()))),
      (_epoch, numTensors) => tensors.push(numTensors)
    )
    for (const [epoch, weights] of expected) {
      const stored = loadTensors(db, runId, epoch, 'weight')
      expect(stored.length).toBe(weights.length)
      stored.forEach((tensor, i) => {
        const a = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength)
        const b = new Uint8Array(weights[i].buffer)
        expect(Buffer.compare(Buffer.from(a), Buffer.from(b)), `epoch ${epoch} tensor ${tensor.name}`).toBe(0)
      })
    }
    // Epoch 1 creates the optimizer's slots; from then on the count must not grow.
    expect(tensors.length).toBe(5)
    expect(new Set(tensors.slice(1)).size).toBe(1)
    // Weights did change between epochs (the test would pass vacuously otherwise).
    expect(Buffer.compare(Buffer.from(expected.get(0)![0].buffer), Buffer.from(expected.get(4)![0].buffer))).not.toBe(0)
    db.close()
  }, 300_000)

  it('is deterministic for a seed: two runs store identical epoch-2 weights', async () => {
    const config = TrainConfig.parse({ dataset: 'mnist', model: { name: 'minimal' }, epochs: 2, batchSize: 32, limit: 320, seed: 11 })
    const a = await train(config, () => undefined, () => undefined)
    const b = await train(config, () => undefined, () => undefined)
    const wa = loadTensors(a.db, a.runId, 2, 'weight')
    const wb = loadTensors(b.db, b.runId, 2, 'weight')
    wa.forEach((t, i) => expect(Array.from(t.data)).toEqual(Array.from(wb[i].data)))
    a.db.close()
    b.db.close()
  }, 300_000)
})

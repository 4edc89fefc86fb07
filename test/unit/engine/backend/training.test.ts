import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../../../../src-main/engine/backend/select'
import { relativeError, seeded, valuesOn } from './compareBackends'

const size = 12
const classes = 3

/** Horizontal stripes, vertical stripes or a checkerboard, with seeded noise. */
function stripes(count: number, seed: number): { x: Float32Array; labels: number[] } {
  const noise = seeded(count * size * size, seed)
  const x = new Float32Array(count * size * size)
  const labels: number[] = []
  for (let n = 0; n < count; n++) {
    const label = n % classes
    labels.push(label)
    for (let i = 0; i < size; i++)
      for (let j = 0; j < size; j++) {
        const on = label === 0 ? i % 4 < 2 : label === 1 ? j % 4 < 2 : (i + j) % 2 === 0
        const k = (n * size + i) * size + j
        x[k] = (on ? 1 : 0) + 0.3 * noise[k]
      }
  }
  return { x, labels }
}

/** Every layer kind the task names: convolutions 'same' and 'valid' at strides 1 and 2. */
function convNet(head: 'softmax' | 'sigmoid' | 'linear', units: number): tf.LayersModel {
  let seed = 100
  const init = () => tf.initializers.glorotUniform({ seed: seed++ })
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [size, size, 1], filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init() }),
      tf.layers.batchNormalization(),
      tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init() }),
      tf.layers.conv2d({ filters: 8, kernelSize: 2, padding: 'valid', activation: 'relu', kernelInitializer: init() }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 8, kernelSize: 1, strides: 2, padding: 'valid', kernelInitializer: init() }),
      tf.layers.averagePooling2d({ poolSize: 1 }),
      tf.layers.flatten(),
      tf.layers.dropout({ rate: 0.2, seed: 7 }),
      tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: init() }),
      tf.layers.dense({ units, activation: head, kernelInitializer: init() })
    ]
  })
}

beforeAll(async () => {
  const report = await initBackend('wasm')
  expect(report.chosen).toBe('wasm')
})

describe('training on wasm', () => {
  it('a small conv net learns: its loss goes down', async () => {
    const { x, labels } = stripes(24, 1)
    const xs = tf.tensor4d(x, [24, size, size, 1])
    const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), classes)
    const model = convNet('softmax', classes)
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' })
    const firstKernel = (model.layers[0].getWeights()[0].dataSync() as Float32Array).slice()
    const losses: number[] = []
    for (let step = 0; step < 15; step++) losses.push(Number(await model.trainOnBatch(xs, ys)))
    expect(tf.getBackend()).toBe('wasm')
    expect(losses.every(Number.isFinite)).toBe(true)
    expect(losses[losses.length - 1]).toBeLessThan(0.6 * losses[0])
    // The first conv layer is trained too, so its filter gradient (our kernel) reached it.
    expect(relativeError(model.layers[0].getWeights()[0].dataSync() as Float32Array, firstKernel)).toBeGreaterThan(1e-3)
    tf.dispose([xs, ys])
    model.dispose()
  })

  const setups = [
    { loss: 'categoricalCrossentropy', head: 'softmax', units: classes },
    { loss: 'binaryCrossentropy', head: 'sigmoid', units: 1 },
    { loss: 'meanSquaredError', head: 'linear', units: classes }
  ] as const
  const optimizers = { adam: () => tf.train.adam(0.005), 'sgd with momentum': () => tf.train.momentum(0.02, 0.9) }
  for (const setup of setups) {
    for (const [optimizerName, optimizer] of Object.entries(optimizers)) {
      it(`fits with ${setup.loss} and ${optimizerName}`, async () => {
        const { x, labels } = stripes(12, 2)
        const xs = tf.tensor4d(x, [12, size, size, 1])
        const ys = setup.units === 1 ? tf.tensor2d(labels.map((l) => (l === 0 ? 1 : 0)), [12, 1]) : tf.oneHot(tf.tensor1d(labels, 'int32'), classes)
        const model = convNet(setup.head, setup.units)
        model.compile({ optimizer: optimizer(), loss: setup.loss })
        const history = await model.fit(xs, ys, { epochs: 3, batchSize: 4, verbose: 0, shuffle: false })
        expect((history.history.loss as number[]).every(Number.isFinite)).toBe(true)
        tf.dispose([xs, ys])
        model.dispose()
      })
    }
  }

  it('trains depthwise and separable convolutions', async () => {
    const { x, labels } = stripes(12, 3)
    const xs = tf.tensor4d(x, [12, size, size, 1])
    const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), classes)
    let seed = 200
    const init = () => tf.initializers.glorotUniform({ seed: seed++ })
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [size, size, 1], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: init() }),
        tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, depthMultiplier: 2, padding: 'same', activation: 'relu', depthwiseInitializer: init() }),
        tf.layers.separableConv2d({ filters: 6, kernelSize: 3, activation: 'relu', depthwiseInitializer: init(), pointwiseInitializer: init() }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: init() })
      ]
    })
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' })
    const losses: number[] = []
    for (let step = 0; step < 20; step++) losses.push(Number(await model.trainOnBatch(xs, ys)))
    expect(losses.every(Number.isFinite)).toBe(true)
    expect(losses[losses.length - 1]).toBeLessThan(0.8 * losses[0])
    tf.dispose([xs, ys])
    model.dispose()
  })

  it('computes the same whole-network gradients as the cpu backend', async () => {
    // Built from ops rather than layers so both backends start from identical weights; this
    // also checks the gradient kernels that wasm already had (pooling, matmul, softmax).
    const shapes = { w1: [3, 3, 1, 4], w2: [3, 3, 4, 6], w3: [2, 2, 6, 6], dense: [6 * 2 * 2, classes] }
    const { x, labels } = stripes(6, 4)
    const compute = () => {
      const xs = tf.tensor4d(x, [6, size, size, 1])
      const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), classes)
      const weights = Object.values(shapes).map((shape, i) => tf.tensor(seeded(shape.reduce((a, b) => a * b), 60 + i), shape).mul(0.5))
      const loss = (...[w1, w2, w3, dense]: tf.Tensor[]) => {
        let h: tf.Tensor4D = tf.relu(tf.conv2d(xs, w1 as tf.Tensor4D, 1, 'same'))
        h = tf.maxPool(h, 2, 2, 'same')
        h = tf.relu(tf.conv2d(h, w2 as tf.Tensor4D, 2, 'same'))
        h = tf.avgPool(tf.conv2d(h, w3 as tf.Tensor4D, 1, 'valid'), 1, 1, 'valid')
        const logits = tf.matMul(tf.reshape(h, [6, -1]), dense as tf.Tensor2D)
        return tf.losses.softmaxCrossEntropy(ys, logits) as tf.Scalar
      }
      return tf.grads(loss)(weights)
    }
    const expected = await valuesOn('cpu', compute)
    const actual = await valuesOn('wasm', compute)
    expected.forEach((values, i) => expect(relativeError(actual[i], values), `gradient ${i}`).toBeLessThan(1e-5))
  })
})

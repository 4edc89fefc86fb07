import * as tf from '@tensorflow/tfjs'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../../src-main/engine/backend/select'
import { openDataset } from '../../src-main/engine/data/index'
import type { OpenApi } from '../../src-main/api/openApi'
import { storeRun } from '../support/storedRun'
import { openTestApi } from '../support/workspace'

const H = 28
const W = 28
/** Sobel edge detectors: filter 0 responds to vertical edges, filter 1 to horizontal ones. */
const SOBEL_X = [-1, 0, 1, -2, 0, 2, -1, 0, 1]
const SOBEL_Y = [-1, -2, -1, 0, 0, 0, 1, 2, 1]
const BIAS = [0, 0.25]

let api: OpenApi
let runId: string
let png: Buffer
let pixels: Float32Array

/** A model whose first layer is a hand-set pair of edge detectors, then ReLU, pooling and a classifier. */
function edgeModel(): tf.LayersModel {
  const input = tf.input({ shape: [H, W, 1], name: 'image' })
  const conv = tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'valid', name: 'edges' }).apply(input) as tf.SymbolicTensor
  const relu = tf.layers.reLU({ name: 'edges_relu' }).apply(conv) as tf.SymbolicTensor
  const pool = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }).apply(relu) as tf.SymbolicTensor
  const flat = tf.layers.flatten({ name: 'flatten' }).apply(pool) as tf.SymbolicTensor
  const out = tf.layers.dense({ units: 10, activation: 'softmax', name: 'predictions' }).apply(flat) as tf.SymbolicTensor
  const model = tf.model({ inputs: input, outputs: out })
  const kernel = new Float32Array(9 * 2)
  for (let p = 0; p < 9; p++) {
    kernel[p * 2] = SOBEL_X[p]
    kernel[p * 2 + 1] = SOBEL_Y[p]
  }
  const layer = model.getLayer('edges')
  layer.setWeights([tf.tensor4d(kernel, [3, 3, 1, 2]), tf.tensor1d(BIAS)])
  return model
}

/** Cross-correlation as TF's conv2d computes it, written out loop by loop. */
function directConvolution(image: Float32Array, kernel: number[], bias: number): Float32Array {
  const out = new Float32Array((H - 2) * (W - 2))
  for (let y = 0; y < H - 2; y++) {
    for (let x = 0; x < W - 2; x++) {
      let s = bias
      for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) s += image[(y + dy) * W + (x + dx)] * kernel[dy * 3 + dx]
      out[y * (W - 2) + x] = s
    }
  }
  return out
}

beforeAll(async () => {
  await initBackend()
  api = openTestApi()
  runId = storeRun(api.context.db, edgeModel(), 2)
  // A bright square on a ramp: vertical, horizontal and no edges, all in one grey PNG.
  const raw = Buffer.alloc(H * W)
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) raw[y * W + x] = y >= 8 && y < 20 && x >= 6 && x < 18 ? 230 : 4 * x
  png = await sharp(raw, { raw: { width: W, height: H, channels: 1 } }).png().toBuffer()
  pixels = Float32Array.from(raw, (v) => v / 255)
})
afterAll(() => api?.close())

describe('inspect.featureMaps', () => {
  it('gives maps of a hand-set edge detector equal to a direct convolution of the uploaded image', async () => {
    const result = await api.call('inspect.featureMaps', { runId, epoch: 1, image: { encoded: new Uint8Array(png), name: 'square.png' } })
    expect(result.layers.map((l) => l.name)).toEqual(['edges', 'edges_relu', 'pool'])
    expect(Array.from(result.input.pixels)).toEqual(Array.from(pixels))
    expect(result.input.source).toBe('square.png')

    const edges = result.layers[0]
    expect(edges.shape).toEqual([H - 2, W - 2, 2])
    const plane = (H - 2) * (W - 2)
    for (const [f, kernel] of [SOBEL_X, SOBEL_Y].entries()) {
      const expected = directConvolution(pixels, kernel, BIAS[f])
      const got = edges.maps.subarray(f * plane, (f + 1) * plane)
      for (let i = 0; i < plane; i++) expect(got[i]).toBeCloseTo(expected[i], 5)
      // μ and σ of |F| (seed 000's descriptor) of the same map.
      const abs = Array.from(expected, Math.abs)
      const mu = abs.reduce((a, b) => a + b, 0) / plane
      const sigma = Math.sqrt(abs.reduce((a, b) => a + (b - mu) ** 2, 0) / plane)
      expect(edges.mu[f]).toBeCloseTo(mu, 4)
      expect(edges.sigma[f]).toBeCloseTo(sigma, 4)
    }
    // The vertical edge of the square gives the strongest response: 4 × 230/255 minus the ramp under it.
    expect(edges.max).toBeGreaterThan(2.5)

    // ReLU and 2×2 max pooling of the same maps.
    const relu = result.layers[1]
    for (let i = 0; i < relu.maps.length; i++) expect(relu.maps[i]).toBeCloseTo(Math.max(0, edges.maps[i]), 5)
    const pool = result.layers[2]
    expect(pool.shape).toEqual([13, 13, 2])
    const rw = W - 2
    for (let c = 0; c < 2; c++) {
      for (let y = 0; y < 13; y++) {
        for (let x = 0; x < 13; x++) {
          const at = (yy: number, xx: number) => relu.maps[c * plane + yy * rw + xx]
          expect(pool.maps[c * 169 + y * 13 + x]).toBeCloseTo(Math.max(at(2 * y, 2 * x), at(2 * y, 2 * x + 1), at(2 * y + 1, 2 * x), at(2 * y + 1, 2 * x + 1)), 5)
        }
      }
    }
    expect(result.output).not.toBeNull()
    expect(result.output!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5)
  })

  it('reads a dataset image by index or as the nth of a class, and only the layers asked for', async () => {
    const mnist = await openDataset('mnist')
    const labels = mnist.split('test').labels()
    const threes = labels.reduce<number[]>((list, label, i) => (label === 3 ? [...list, i] : list), []).slice(0, 2)
    const byClass = await api.call('inspect.featureMaps', { runId, epoch: 0, image: { split: 'test', class: 3, nth: 1 }, layers: ['pool'] })
    expect(byClass.input.index).toBe(threes[1])
    expect(byClass.input.label).toBe(3)
    expect(byClass.input.labelName).toBe(mnist.classNames[3])
    expect(byClass.layers.map((l) => l.name)).toEqual(['pool'])
    const image = await mnist.split('test').readImage(threes[1], { width: W, height: H, channels: 1 })
    expect(Array.from(byClass.input.pixels)).toEqual(Array.from(image.x))

    const byIndex = await api.call('inspect.featureMaps', { runId, epoch: 0, image: { split: 'test', index: threes[1] }, layers: ['pool'] })
    expect(Array.from(byIndex.layers[0].maps)).toEqual(Array.from(byClass.layers[0].maps))
  })

  it('refuses bad input with messages that name it', async () => {
    const call = (request: object) => api.dispatch('inspect.featureMaps', { runId, epoch: 0, image: { split: 'test', index: 0 }, ...request })
    await expect(call({ epoch: 7 })).rejects.toThrow(/epoch 7 is not stored for this run; stored epochs are 0, 1/)
    await expect(call({ layers: ['flatten'] })).rejects.toThrow(/"flatten" \(Flatten\) outputs a vector, not a feature map; choose one of edges, edges_relu, pool/)
    await expect(call({ layers: ['nope'] })).rejects.toThrow(/no layer "nope"/)
    await expect(call({ image: { split: 'test', index: 10_000 } })).rejects.toThrow(/image.index: the test split has 10000 examples/)
    await expect(call({ image: { split: 'test', class: 42 } })).rejects.toThrow(/image.class: the test split has no example of class 42/)
    await expect(call({ image: { encoded: new Uint8Array([1, 2, 3]), name: 'notes.txt' } })).rejects.toThrow(/notes.txt cannot be decoded as an image .*open a PNG or JPEG file/)
    await expect(call({ runId: 'run-missing' })).rejects.toThrow(/no run with id "run-missing"/)
  })
})

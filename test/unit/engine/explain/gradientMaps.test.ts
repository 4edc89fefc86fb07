import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { gradCam, projectUnits, saliency, strongestUnit } from '../../../../src-main/engine/analysis/explain/gradientMaps'
import { H, K, filters, handConv, handImage, handLogits, handLogitsFromConv, handModel } from './handNetwork'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

const shape = { height: H, width: H, channels: 1 }
const EPS = 1e-4

describe('gradient maps on a hand-set network', () => {
  it('saliency equals the finite-difference gradient of the class score (before the softmax)', async () => {
    const model = handModel()
    const x = handImage()
    for (const cls of [0, 2]) {
      const s = await saliency(model, x, shape, cls)
      for (let p = 0; p < H * H; p++) {
        const up = Float64Array.from(x)
        const down = Float64Array.from(x)
        up[p] += EPS
        down[p] -= EPS
        const fd = (handLogits(up)[cls] - handLogits(down)[cls]) / (2 * EPS)
        expect(s.gradient[p]).toBeCloseTo(fd, 4)
        expect(s.map[p]).toBeCloseTo(Math.abs(fd), 4)
      }
    }
  })

  it('Grad-CAM equals ReLU(Σ_k α_k A_k) with α from finite differences at the conv layer', async () => {
    const model = handModel()
    const x = handImage()
    const a = handConv(x)
    const n = a.length
    for (const cls of [0, 1]) {
      const alpha = [0, 1].map((k) => {
        let sum = 0
        for (let y = 0; y < n; y++) {
          for (let xx = 0; xx < n; xx++) {
            const up = a.map((r) => r.map((v) => [...v]))
            const down = a.map((r) => r.map((v) => [...v]))
            up[y][xx][k] += EPS
            down[y][xx][k] -= EPS
            sum += (handLogitsFromConv(up)[cls] - handLogitsFromConv(down)[cls]) / (2 * EPS)
          }
        }
        return sum / (n * n)
      })
      const cam = await gradCam(model, x, shape, cls, 'c')
      expect([cam.mapHeight, cam.mapWidth]).toEqual([n, n])
      expect(cam.weights[0]).toBeCloseTo(alpha[0], 4)
      expect(cam.weights[1]).toBeCloseTo(alpha[1], 4)
      for (let y = 0; y < n; y++) for (let xx = 0; xx < n; xx++) expect(cam.map[y * n + xx]).toBeCloseTo(Math.max(0, alpha[0] * a[y][xx][0] + alpha[1] * a[y][xx][1]), 4)
      expect(cam.upsampled.length).toBe(H * H)
    }
  })

  it('the deconvnet projection of one active pooled unit is its filter, placed at the max-pool switch and scaled by the unit', async () => {
    const model = handModel()
    const x = handImage()
    const a = handConv(x)
    for (const channel of [0, 1]) {
      for (const [py, px] of [[0, 0], [1, 1], [0, 1]]) {
        // The switch: where in the 2×2 window the max came from.
        let sy = 2 * py
        let sx = 2 * px
        for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]]) if (a[2 * py + dy][2 * px + dx][channel] > a[sy][sx][channel]) [sy, sx] = [2 * py + dy, 2 * px + dx]
        const value = a[sy][sx][channel]
        if (value <= 0) continue
        const expected = new Float64Array(H * H)
        for (let dy = 0; dy < K; dy++) for (let dx = 0; dx < K; dx++) expected[(sy + dy) * H + sx + dx] = value * filters[channel][dy][dx]
        for (const rule of ['deconvnet', 'guided'] as const) {
          const { projections, values } = await projectUnits(model, x, 1, shape, 'p', [{ y: py, x: px, channel }], rule)
          expect(values[0]).toBeCloseTo(value, 5)
          for (let p = 0; p < H * H; p++) expect(projections[p]).toBeCloseTo(expected[p], 5)
        }
      }
    }
  })

  it('the strongest unit of the conv layer projects to its own filter', async () => {
    const model = handModel()
    const x = handImage()
    const unit = await strongestUnit(model, x, shape, 'c')
    expect(unit.value).toBeCloseTo(Math.max(...handConv(x).flat(2)), 5)
    const d = await projectUnits(model, x, 1, shape, 'c', [unit], 'deconvnet')
    for (let dy = 0; dy < K; dy++) for (let dx = 0; dx < K; dx++) expect(d.projections[(unit.y + dy) * H + unit.x + dx]).toBeCloseTo(unit.value * filters[unit.channel][dy][dx], 5)
  })

  it('at a ReLU the deconvnet rectifies the signal, guided backpropagation also masks by the forward sign', async () => {
    // 5×5 → conv1 (1 filter 3×3, ReLU) → conv2 (1 filter 3×3, ReLU) → dense. The conv2 unit's signal reaches
    // conv1's output as v·W2; there deconvnet keeps max(s, 0), guided keeps s where s > 0 and conv1 > 0.
    const w1 = [[0.4, -0.6, 0.2], [0.7, 0.1, -0.5], [-0.3, 0.8, 0.2]]
    const w2 = [[0.9, -0.4, 0.3], [-0.7, 0.5, 0.6], [0.2, -0.8, 0.4]]
    const input = tf.input({ shape: [5, 5, 1] })
    const c1 = tf.layers.conv2d({ name: 'c1', filters: 1, kernelSize: 3, activation: 'relu', useBias: false }).apply(input) as tf.SymbolicTensor
    const c2 = tf.layers.conv2d({ name: 'c2', filters: 1, kernelSize: 3, activation: 'relu', useBias: false }).apply(c1) as tf.SymbolicTensor
    const out = tf.layers.dense({ name: 'out', units: 2, activation: 'softmax' }).apply(tf.layers.flatten().apply(c2) as tf.SymbolicTensor) as tf.SymbolicTensor
    const model = tf.model({ inputs: input, outputs: out })
    model.getLayer('c1').setWeights([tf.tensor4d(w1.flat(), [3, 3, 1, 1])])
    model.getLayer('c2').setWeights([tf.tensor4d(w2.flat(), [3, 3, 1, 1])])
    const x = Float32Array.from({ length: 25 }, (_, i) => 0.5 + 0.5 * Math.sin(i * 2.1 + 0.5))
    const a1 = Array.from({ length: 3 }, (_, y) => Array.from({ length: 3 }, (_, xx) => Math.max(0, w1.reduce((s, r, dy) => s + r.reduce((t, w, dx) => t + w * x[(y + dy) * 5 + xx + dx], 0), 0))))
    const v = Math.max(0, w2.reduce((s, r, dy) => s + r.reduce((t, w, dx) => t + w * a1[dy][dx], 0), 0))
    expect(v).toBeGreaterThan(0)
    const down = (keep: (s: number, a: number) => number): Float64Array => {
      const px = new Float64Array(25)
      for (let y = 0; y < 3; y++) for (let xx = 0; xx < 3; xx++) {
        const s = keep(v * w2[y][xx], a1[y][xx])
        for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) px[(y + dy) * 5 + xx + dx] += s * w1[dy][dx]
      }
      return px
    }
    const expected = {
      deconvnet: down((s) => Math.max(0, s)),
      guided: down((s, a) => (s > 0 && a > 0 ? s : 0)),
      gradient: down((s, a) => (a > 0 ? s : 0))
    }
    expect(Array.from(expected.deconvnet)).not.toEqual(Array.from(expected.guided))
    for (const rule of ['deconvnet', 'guided', 'gradient'] as const) {
      const { projections } = await projectUnits(model, x, 1, { height: 5, width: 5, channels: 1 }, 'c2', [{ y: 0, x: 0, channel: 0 }], rule)
      for (let p = 0; p < 25; p++) expect(projections[p]).toBeCloseTo(expected[rule][p], 5)
    }
  })

  it('names the layer when Grad-CAM is asked for one without spatial maps, and a channel out of range', async () => {
    const model = handModel()
    await expect(gradCam(model, handImage(), shape, 0, 'flatten')).rejects.toThrow(/layer: "flatten" has output \[8\], not spatial maps.*choose one of c, p/)
    await expect(gradCam(model, handImage(), shape, 0, 'nope')).rejects.toThrow(/no layer "nope"/)
    await expect(strongestUnit(model, handImage(), shape, 'c', 2)).rejects.toThrow(/channel: 2 is out of range; layer "c" has channels 0..1/)
  })
})

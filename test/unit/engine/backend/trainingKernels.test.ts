import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../../../../src-main/engine/backend/select'
import { relativeError, seeded, sizeOf, valuesOn, wasmDataIds } from './compareBackends'

const tolerance = 1e-5

beforeAll(async () => {
  const report = await initBackend('wasm')
  expect(report.chosen).toBe('wasm')
})

/** Runs one kernel with fixed random inputs on cpu and on wasm and compares the results. */
async function expectSameOnBothBackends(compute: () => tf.Tensor[]) {
  const expected = await valuesOn('cpu', compute)
  const before = await valuesOn('wasm', () => []).then(wasmDataIds)
  const actual = await valuesOn('wasm', compute)
  expect(wasmDataIds(), 'wasm tensors leaked by the kernel').toBe(before)
  actual.forEach((values, i) => expect(relativeError(values, expected[i]), `output ${i}`).toBeLessThan(tolerance))
}

interface PoolCase {
  x: [number, number, number, number]
  pool: number | [number, number]
  strides: number | [number, number]
  pad: 'same' | 'valid' | number
}

// Non-overlapping and overlapping windows, 'same' padding, sizes the stride does not divide.
const poolCases: PoolCase[] = [
  { x: [2, 8, 8, 3], pool: 2, strides: 2, pad: 'valid' },
  { x: [3, 9, 7, 5], pool: 2, strides: 2, pad: 'valid' },
  { x: [2, 7, 7, 4], pool: 3, strides: 2, pad: 'same' },
  { x: [1, 6, 9, 2], pool: [3, 2], strides: [1, 2], pad: 'valid' },
  { x: [2, 5, 5, 3], pool: 3, strides: 1, pad: 'same' },
  { x: [1, 8, 8, 16], pool: 2, strides: 2, pad: 1 }
]

const label = (c: PoolCase) => `x ${c.x.join('×')}, pool ${c.pool}, strides ${c.strides}, pad ${c.pad}`

function poolGradient(c: PoolCase, kind: 'max' | 'avg', values: Float32Array) {
  return () => {
    const x = tf.tensor4d(values, c.x)
    const pool = (t: tf.Tensor4D) => (kind === 'max' ? tf.maxPool(t, c.pool, c.strides, c.pad) : tf.avgPool(t, c.pool, c.strides, c.pad))
    const outShape = pool(x).shape
    const r = tf.tensor(seeded(sizeOf(outShape), 31), outShape)
    return tf.grads((t: tf.Tensor) => tf.sum(tf.mul(pool(t as tf.Tensor4D), r)))([x])
  }
}

describe('pooling gradients on wasm match the cpu backend', () => {
  for (const c of poolCases) {
    it(`MaxPoolGrad, ${label(c)}`, async () => {
      await expectSameOnBothBackends(poolGradient(c, 'max', seeded(sizeOf(c.x), 17)))
    })
    it(`AvgPoolGrad, ${label(c)}`, async () => {
      await expectSameOnBothBackends(poolGradient(c, 'avg', seeded(sizeOf(c.x), 19)))
    })
  }

  it('MaxPoolGrad sends ties to the first maximum of the window, as after a ReLU', async () => {
    // Rounded, rectified values: many windows hold equal maxima, many hold only zeros.
    const values = seeded(2 * 8 * 8 * 3, 23).map((v) => Math.max(0, Math.round(v * 2) / 2))
    await expectSameOnBothBackends(poolGradient({ x: [2, 8, 8, 3], pool: 2, strides: 2, pad: 'valid' }, 'max', values))
  })
})

describe('BatchMatMul on wasm matches the cpu backend', () => {
  const shapes: Array<{ a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }> = []
  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      shapes.push({ a: transposeA ? [7, 5] : [5, 7], b: transposeB ? [3, 7] : [7, 3], transposeA, transposeB })
      shapes.push({ a: transposeA ? [1, 9, 4] : [1, 4, 9], b: transposeB ? [1, 6, 9] : [1, 9, 6], transposeA, transposeB })
      // Batched products stay with wasm's own kernel; they must still be right.
      shapes.push({ a: transposeA ? [3, 9, 4] : [3, 4, 9], b: transposeB ? [3, 6, 9] : [3, 9, 6], transposeA, transposeB })
    }
  }
  for (const s of shapes) {
    it(`a ${s.a.join('×')}${s.transposeA ? 'ᵀ' : ''} · b ${s.b.join('×')}${s.transposeB ? 'ᵀ' : ''}`, async () => {
      await expectSameOnBothBackends(() => [
        // Rank 3 where the case says so: tf.matMul accepts any rank ≥ 2.
        tf.matMul(tf.tensor(seeded(sizeOf(s.a), 3), s.a as number[]) as tf.Tensor as tf.Tensor2D, tf.tensor(seeded(sizeOf(s.b), 4), s.b as number[]) as tf.Tensor as tf.Tensor2D, s.transposeA, s.transposeB)
      ])
    })
  }

  it('dense-layer gradients (dx = dy·Wᵀ, dW = xᵀ·dy) at training sizes', async () => {
    const x = seeded(64 * 120, 5)
    const w = seeded(120 * 84, 6)
    const r = seeded(64 * 84, 7)
    await expectSameOnBothBackends(() => {
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), tf.tensor2d(r, [64, 84]))))([
        tf.tensor2d(x, [64, 120]),
        tf.tensor2d(w, [120, 84])
      ])
      return [dx, dw]
    })
  })
})

import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../../../../src-main/engine/backend/select'
import { relativeError, seeded, valuesOn } from './compareBackends'

// This file runs in its own test worker, so the wasm backend is first initialised here.
let report: Awaited<ReturnType<typeof initBackend>>

beforeAll(async () => {
  process.env.FEATURELENS_WASM_THREADS = '2'
  try {
    report = await initBackend('wasm')
  } finally {
    delete process.env.FEATURELENS_WASM_THREADS
  }
})

describe('the threaded wasm build in Node (FEATURELENS_WASM_THREADS=2)', () => {
  it('starts with two threads', () => {
    expect(report.chosen).toBe('wasm')
    expect(report.details.threadsProblem).toBeUndefined()
    expect(report.details.threads).toBe(true)
    expect(report.details.threadsCount).toBe(2)
  })

  it('computes training gradients that match the cpu backend', async () => {
    const xValues = seeded(4 * 12 * 12 * 3, 1)
    const wValues = seeded(3 * 3 * 3 * 8, 2)
    const compute = () => {
      const x = tf.tensor4d(xValues, [4, 12, 12, 3])
      const w = tf.tensor4d(wValues, [3, 3, 3, 8])
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.maxPool(tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')), 2, 2, 'valid')))
      return tf.grads(f)([x, w])
    }
    const expected = await valuesOn('cpu', compute)
    const actual = await valuesOn('wasm', compute)
    actual.forEach((values, i) => expect(relativeError(values, expected[i])).toBeLessThan(1e-5))
  })
})

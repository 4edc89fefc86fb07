import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { FusedAdamOptimizer } from '../../../../src-main/engine/backend/fusedAdam'
import { AdamUpdate } from '../../../../src-main/engine/backend/kernels/adamUpdate'
import { initBackend } from '../../../../src-main/engine/backend/select'
import { relativeError, seeded } from './compareBackends'

beforeAll(async () => {
  const report = await initBackend('wasm')
  expect(report.chosen).toBe('wasm')
  expect(tf.getKernel(AdamUpdate, 'wasm')).toBeDefined()
})

const shapes = [[5, 5, 1, 8], [8], [256, 10], [3]]

/** Trains fresh variables with `optimizer` on fixed random gradients; returns values, moments and names. */
async function run(optimizer: tf.Optimizer, steps: number) {
  const vars = shapes.map((shape, i) => tf.variable(tf.tensor(seeded(shape.reduce((a, b) => a * b), 50 + i), shape), true, `adam-test-${i}-${Math.random()}`))
  for (let step = 0; step < steps; step++) {
    const grads = vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(seeded(v.size, 1000 * step + i).map((g) => g * (i + 1)), v.shape) }))
    optimizer.applyGradients(grads)
    tf.dispose(grads.map((g) => g.tensor))
  }
  const values = vars.map((v) => v.dataSync() as Float32Array)
  const state = await optimizer.getWeights()
  const named = state.map(({ name, tensor }) => ({ name: name.replace(/adam-test-(\d)-[\d.e-]+/, 'adam-test-$1'), values: tensor.dataSync() as Float32Array }))
  tf.dispose(vars)
  optimizer.dispose()
  return { values, named }
}

describe('FusedAdamOptimizer on wasm', () => {
  // The reference is tfjs's own Adam, on the cpu backend and on wasm.
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`gives the same weights and optimizer state as tf.train.adam on ${backend}, step by step`, async () => {
      for (const steps of [1, 7]) {
        await tf.setBackend(backend)
        const reference = await run(tf.train.adam(0.01), steps)
        await tf.setBackend('wasm')
        const fused = await run(new FusedAdamOptimizer(0.01, 0.9, 0.999), steps)
        fused.values.forEach((values, i) => expect(relativeError(values, reference.values[i]), `variable ${i} after ${steps} steps`).toBeLessThan(1e-5))
        expect(fused.named.map((n) => n.name)).toEqual(reference.named.map((n) => n.name))
        fused.named.forEach((n, i) => expect(relativeError(n.values, reference.named[i].values), n.name).toBeLessThan(1e-5))
      }
    })
  }

  it('continues from state saved by tf.train.adam (setWeights), as a resumed run does', async () => {
    const make = () => tf.variable(tf.tensor(seeded(40, 9), [4, 10]), true, `resume-${Math.random()}`)
    const grad = (step: number) => tf.tensor(seeded(40, 70 + step), [4, 10])
    const a = make()
    const reference = tf.train.adam(0.02)
    for (let s = 0; s < 3; s++) reference.applyGradients([{ name: a.name, tensor: grad(s) }])
    const saved = await reference.getWeights()
    const b = tf.variable(a.clone(), true, `resume-b-${Math.random()}`)
    const fused = new FusedAdamOptimizer(0.02, 0.9, 0.999)
    await fused.setWeights(saved.map(({ name, tensor }) => ({ name: name.replace(a.name, b.name), tensor: tensor.clone() })))
    for (let s = 3; s < 6; s++) {
      reference.applyGradients([{ name: a.name, tensor: grad(s) }])
      fused.applyGradients([{ name: b.name, tensor: grad(s) }])
    }
    expect(relativeError(b.dataSync() as Float32Array, a.dataSync() as Float32Array)).toBeLessThan(1e-6)
    expect(fused.iterations).toBe(reference.iterations)
    tf.dispose([a, b])
    reference.dispose()
    fused.dispose()
  })

  it('does not leak tensors across steps', async () => {
    const v = tf.variable(tf.tensor(seeded(30, 3), [30]), true, `leak-${Math.random()}`)
    const optimizer = new FusedAdamOptimizer(0.01, 0.9, 0.999)
    const step = () => tf.tidy(() => optimizer.applyGradients([{ name: v.name, tensor: tf.onesLike(v) }]))
    step()
    const before = tf.memory().numTensors
    for (let i = 0; i < 5; i++) step()
    expect(tf.memory().numTensors).toBe(before)
    v.dispose()
    optimizer.dispose()
  })
})

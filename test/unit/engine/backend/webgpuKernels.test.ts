import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../../../../src-main/engine/backend/select'
import { explainSkip, forbidSyncReadsOnWebGpu, useSwiftShader } from '../../../support/webgpu'
import { relativeError, seeded, sizeOf } from './compareBackends'

// Kernel parity of tfjs's WebGPU backend (on Dawn, here on SwiftShader) against the cpu
// backend, for every op our models train with. Tolerances are float32 ones: the GPU sums in
// another order; measured here they are at most 3e-7 relative (Adam matches exactly), and
// 1e-4 (1e-5 for Adam) leaves room for other GPUs' summation orders.
const TOLERANCE = 1e-4

const swiftShader = await useSwiftShader()
explainSkip('webgpuKernels.test.ts', swiftShader)

/** Runs `compute` on a backend and reads its results back asynchronously. */
async function valuesOn(backend: 'cpu' | 'webgpu', compute: () => tf.Tensor[]): Promise<Float32Array[]> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not load`)
  const tensors = tf.tidy(compute)
  const values = await Promise.all(tensors.map((t) => t.data() as Promise<Float32Array>))
  tf.dispose(tensors)
  return values
}

async function expectParity(compute: () => tf.Tensor[], tolerance = TOLERANCE): Promise<number[]> {
  const gpu = await valuesOn('webgpu', compute)
  const cpu = await valuesOn('cpu', compute)
  const errors = gpu.map((values, i) => relativeError(values, cpu[i]))
  errors.forEach((error) => expect(error).toBeLessThan(tolerance))
  // The comparison is not vacuous: the outputs are not all zero.
  cpu.forEach((values) => expect(values.some((v) => v !== 0)).toBe(true))
  return errors
}

const tensor = (shape: number[], seed: number) => tf.tensor(seeded(sizeOf(shape), seed), shape)

describe.skipIf(!swiftShader.ok)('webgpu kernels agree with the cpu backend', () => {
  beforeAll(async () => {
    const report = await initBackend('webgpu')
    expect(report.chosen).toBe('webgpu')
    // Every op on the device: tfjs would otherwise run some small ops on the CPU.
    tf.env().set('WEBGPU_CPU_FORWARD', false)
    forbidSyncReadsOnWebGpu()
  })

  const convCases = [
    { name: 'stride 1, same', strides: 1, pad: 'same' as const },
    { name: 'stride 2, valid', strides: 2, pad: 'valid' as const }
  ]
  for (const c of convCases) {
    it(`conv2d forward and both gradients (${c.name})`, async () => {
      await expectParity(() => {
        const x = tensor([2, 9, 9, 3], 1) as tf.Tensor4D
        const w = tensor([3, 3, 3, 4], 2) as tf.Tensor4D
        const upstream = tf.conv2d(x, w, c.strides, c.pad)
        const dy = tensor(upstream.shape, 3)
        const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad))([x, w], dy)
        return [upstream, dx, dw]
      })
    })
  }

  it('max and average pooling, forward and gradient', async () => {
    await expectParity(() => {
      const x = tensor([2, 8, 8, 3], 4) as tf.Tensor4D
      const max = tf.maxPool(x, 2, 2, 'valid')
      const avg = tf.avgPool(x, 3, 1, 'same')
      const dMax = tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'))(x, tensor(max.shape, 5))
      const dAvg = tf.grad((a: tf.Tensor) => tf.avgPool(a as tf.Tensor4D, 3, 1, 'same'))(x, tensor(avg.shape, 6))
      return [max, avg, dMax, dAvg]
    })
  })

  it('dense layers: matrix product with bias and its gradients', async () => {
    await expectParity(() => {
      const x = tensor([8, 40], 7) as tf.Tensor2D
      const w = tensor([40, 6], 8) as tf.Tensor2D
      const b = tensor([6], 9)
      const dense = (a: tf.Tensor, k: tf.Tensor, c: tf.Tensor) => tf.relu(tf.add(tf.matMul(a as tf.Tensor2D, k as tf.Tensor2D), c))
      const y = dense(x, w, b)
      const [dx, dw, db] = tf.grads(dense)([x, w, b], tensor(y.shape, 10))
      return [y, dx, dw, db]
    })
  })

  it('batch normalisation in training mode (batch moments) and its gradients', async () => {
    await expectParity(() => {
      const x = tensor([4, 5, 5, 3], 11)
      const scale = tensor([3], 12)
      const offset = tensor([3], 13)
      const norm = (a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1, 2])
        return tf.batchNorm(a, mean, variance, o, s, 1e-3)
      }
      const y = norm(x, scale, offset)
      const [dx, dScale, dOffset] = tf.grads(norm)([x, scale, offset], tensor(y.shape, 14))
      return [y, dx, dScale, dOffset]
    })
  })

  it('Adam: weights and moments after three steps', async () => {
    await expectParity(() => {
      const v = tf.variable(tensor([5, 7], 15), true, `adam-parity-${tf.getBackend()}`)
      const optimizer = tf.train.adam(0.01)
      for (let step = 0; step < 3; step++) optimizer.applyGradients([{ name: v.name, tensor: tensor([5, 7], 16 + step) }])
      const state = optimizer as unknown as Record<'accumulatedFirstMoment' | 'accumulatedSecondMoment', { variable: tf.Variable }[]>
      const [m, s] = [state.accumulatedFirstMoment[0].variable.clone(), state.accumulatedSecondMoment[0].variable.clone()]
      const result = [v.clone(), m, s]
      optimizer.dispose()
      v.dispose()
      return result
    }, 1e-5)
  })
})

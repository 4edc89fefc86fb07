import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { AdamUpdate } from '../../../../src-main/engine/backend/kernels/adamUpdate'
import { nativeKernels, nativeKernelsEnvVar, type NativeKernels } from '../../../../src-main/engine/backend/nativeKernels'
import { nativeKernelNames } from '../../../../src-main/engine/backend/registerWasmKernels'
import { initBackend } from '../../../../src-main/engine/backend/select'
import { relativeError, seeded, sizeOf, valuesOn, wasmDataIds } from './compareBackends'

// `npm install` builds the addon wherever g++ and make exist, as on the reference machine; a
// silent build failure would cost the training speed without any other test noticing.
const required = !process.env.FEATURELENS_SKIP_NATIVE
let native: NativeKernels

beforeAll(async () => {
  expect((await initBackend('wasm')).chosen).toBe('wasm')
  const loaded = nativeKernels()
  if (required) expect(loaded.reason).toBeNull()
  native = loaded.kernels!
})

describe.skipIf(!required)('the native training kernels', () => {
  it('are built, loaded and registered for wasm', () => {
    expect(nativeKernelNames().sort()).toEqual(['Add', 'AvgPoolGrad', 'BatchMatMul', 'Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'FusedConv2D', 'MaxPoolGrad', 'Sum', '_FusedMatMul'])
  })

  it('refuse arrays that do not match the geometry, naming them, instead of touching other memory', () => {
    const geometry = Int32Array.of(1, 4, 4, 2, 3, 3, 8, 2, 2, 1, 1, 1, 1, 0, 0)
    const x = new Float32Array(32)
    const dy = new Float32Array(32)
    expect(() => native.conv2dBackpropFilter(x, dy, new Float32Array(144), geometry)).not.toThrow()
    expect(() => native.conv2dBackpropFilter(x, dy, new Float32Array(143), geometry)).toThrow(/the output has 143 elements; its shape needs 144/)
    expect(() => native.conv2dBackpropFilter(new Float32Array(31), dy, new Float32Array(144), geometry)).toThrow(/the first input has 31 elements; its shape needs 32/)
    expect(() => native.conv2dBackpropInput(dy, new Float64Array(144) as unknown as Float32Array, x, geometry)).toThrow(/the second input must be a Float32Array/)
    expect(() => native.conv2dBackpropInput(dy, new Float32Array(144), x, Int32Array.of(1, 2))).toThrow(/geometry must be an Int32Array of 15/)
    expect(() => native.conv2dBackpropInput(dy, new Float32Array(144), x, geometry.map((v, i) => (i === 9 ? 0 : v)))).toThrow(/strides and dilations must be at least 1/)
    expect(() => native.sumChannels(x, new Float32Array(3), Int32Array.of(8, 4))).toThrow(/the output has 3 elements; its shape needs 4/)
    expect(() => native.addChannels(x, new Float32Array(4), x, Int32Array.of(-8, -4))).toThrow(/must not be negative/)
  })

  // Channel counts below, at and past a vector of 8, and past the 32 a pass holds; strides and
  // paddings that leave input rows unread. (tfjs has no conv gradient with dilation > 1.)
  const convCases = [
    { x: [3, 9, 9, 1], kernel: [5, 5], out: 8, strides: 1, pad: 'valid' as const, dilation: 1 },
    { x: [2, 12, 12, 6], kernel: [5, 5], out: 16, strides: 1, pad: 'same' as const, dilation: 1 },
    { x: [2, 8, 7, 3], kernel: [3, 3], out: 20, strides: 2, pad: 'same' as const, dilation: 1 },
    { x: [2, 9, 9, 13], kernel: [3, 2], out: 44, strides: [2, 3] as [number, number], pad: 'valid' as const, dilation: 1 },
    { x: [2, 6, 6, 33], kernel: [1, 1], out: 9, strides: 1, pad: 'valid' as const, dilation: 1 }
  ]
  for (const c of convCases) {
    it(`compute conv gradients as the cpu backend does: x ${c.x.join('×')}, ${c.kernel.join('×')}→${c.out}, strides ${c.strides}, ${c.pad}, dilation ${c.dilation}`, async () => {
      const filterShape = [...c.kernel, c.x[3], c.out] as [number, number, number, number]
      const xv = seeded(sizeOf(c.x), 3)
      const wv = seeded(sizeOf(filterShape), 5)
      const grads = () => {
        const x = tf.tensor4d(xv, c.x as [number, number, number, number])
        const w = tf.tensor4d(wv, filterShape)
        const f = (a: tf.Tensor, b: tf.Tensor) => {
          const y = tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad, 'NHWC', c.dilation)
          return tf.sum(tf.mul(y, tf.tensor(seeded(y.size, 7), y.shape)))
        }
        return tf.grads(f)([x, w])
      }
      const before = wasmDataIds()
      const [dx, dw] = await valuesOn('wasm', grads)
      expect(wasmDataIds()).toBe(before)
      const [dxCpu, dwCpu] = await valuesOn('cpu', grads)
      await tf.setBackend('wasm')
      expect(relativeError(dx, dxCpu)).toBeLessThan(1e-5)
      expect(relativeError(dw, dwCpu)).toBeLessThan(1e-5)
    })
  }

  it('route max-pool gradients to the first maximum of each window, as the cpu backend does (overlapping windows, ties)', async () => {
    // Values in steps of 1/4 make ties common.
    const xv = seeded(2 * 9 * 9 * 10, 9).map((v) => Math.round(v * 4) / 4)
    const grads = () => {
      const x = tf.tensor4d(xv, [2, 9, 9, 10])
      const f = (a: tf.Tensor) => {
        const y = tf.maxPool(a as tf.Tensor4D, 3, 2, 'same')
        return tf.sum(tf.mul(y, tf.tensor(seeded(y.size, 4), y.shape)))
      }
      return [tf.grad(f)(x)]
    }
    const [wasm] = await valuesOn('wasm', grads)
    const [cpu] = await valuesOn('cpu', grads)
    await tf.setBackend('wasm')
    // Where windows overlap, an input pixel sums the gradients of several windows, in another
    // order than the cpu backend's; a gradient routed to the wrong pixel would be off by ~1.
    expect(relativeError(wasm, cpu)).toBeLessThan(1e-6)
    expect(wasm.filter((v) => v !== 0).length).toBe(cpu.filter((v) => v !== 0).length)
  })

  it('compute fused convolutions (bias, activation) as the cpu backend does, and leave other activations to wasm', async () => {
    const x = seeded(2 * 9 * 9 * 5, 1)
    const w = seeded(3 * 3 * 5 * 12, 2)
    const b = seeded(12, 3)
    const ops = () => {
      const xs = tf.tensor4d(x, [2, 9, 9, 5])
      const ws = tf.tensor4d(w, [3, 3, 5, 12])
      const bias = tf.tensor1d(b)
      // Dilated forward convolutions (tfjs has no gradient for them, so only the forward pass).
      const dilated = [tf.conv2d(xs, ws, 1, 'same', 'NHWC', 2), tf.conv2d(xs, ws, 1, 'valid', 'NHWC', [2, 3])]
      return [...dilated, ...(['linear', 'relu', 'relu6', 'elu', 'leakyrelu'] as const).flatMap((activation) => [
        tf.fused.conv2d({ x: xs, filter: ws, strides: 1, pad: 'same', bias, activation, leakyreluAlpha: 0.1 }),
        tf.fused.conv2d({ x: xs, filter: ws, strides: 2, pad: 'valid', activation, leakyreluAlpha: 0.1 })
      ])]
    }
    const wasm = await valuesOn('wasm', ops)
    const cpu = await valuesOn('cpu', ops)
    await tf.setBackend('wasm')
    wasm.forEach((values, i) => expect(relativeError(values, cpu[i]), `case ${i}`).toBeLessThan(1e-5))
  })

  it('multiply matrices as the cpu backend does, with either operand transposed, fused bias and activation, and leave batched products to wasm', async () => {
    const ops = () => {
      const out: tf.Tensor[] = []
      for (const [m, k, n] of [[5, 7, 13], [1, 33, 8], [32, 64, 24], [9, 1, 17]]) {
        for (const ta of [false, true])
          for (const tb of [false, true]) {
            const a = tf.tensor(seeded(m * k, m + k), ta ? [k, m] : [m, k])
            const b = tf.tensor(seeded(k * n, n), tb ? [n, k] : [k, n])
            out.push(tf.matMul(a, b, ta, tb))
            out.push(tf.fused.matMul({ a, b, transposeA: ta, transposeB: tb, bias: tf.tensor1d(seeded(n, 9)), activation: 'relu' }))
          }
      }
      const a3 = tf.tensor3d(seeded(2 * 3 * 4, 1), [2, 3, 4])
      const b3 = tf.tensor3d(seeded(2 * 4 * 5, 2), [2, 4, 5])
      out.push(tf.matMul(a3, b3), tf.matMul(tf.tensor3d(seeded(12, 3), [1, 3, 4]), tf.tensor3d(seeded(20, 4), [1, 4, 5])))
      out.push(tf.fused.matMul({ a: a3.reshape([6, 4]), b: b3.reshape([8, 5]).slice([0, 0], [4, 5]), activation: 'elu' }))
      return out
    }
    const wasm = await valuesOn('wasm', ops)
    const cpu = await valuesOn('cpu', ops)
    await tf.setBackend('wasm')
    wasm.forEach((values, i) => expect(relativeError(values, cpu[i]), `product ${i}`).toBeLessThan(1e-5))
    expect(() => native.matMul(new Float32Array(6), new Float32Array(6), new Float32Array(4), Int32Array.of(2, 3, 2, 0, 2))).toThrow(/transposeA and transposeB must be 0 or 1/)
    expect(() => native.matMul(new Float32Array(6), new Float32Array(5), new Float32Array(4), Int32Array.of(2, 3, 2, 0, 0))).toThrow(/b has 5 elements; its shape needs 6/)
  })

  it('take the same Adam step as the JavaScript kernel, bit for bit', () => {
    const n = 1000
    const inputs = {
      value: tf.tensor1d(seeded(n, 1)), gradient: tf.tensor1d(seeded(n, 2).map((v) => v * 1e-3)),
      m: tf.tensor1d(seeded(n, 3).map((v) => v * 1e-3)), v: tf.tensor1d(seeded(n, 4).map((v) => v * v * 1e-6))
    }
    const attrs = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, oneMinusAccBeta1: 0.271, oneMinusAccBeta2: 0.00299 }
    const step = () => (tf.engine().runKernel(AdamUpdate, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[]).map((t) => {
      const values = t.dataSync() as Float32Array
      t.dispose()
      return values
    })
    const native = step()
    process.env[nativeKernelsEnvVar] = '0'
    const plain = step()
    delete process.env[nativeKernelsEnvVar]
    native.forEach((values, i) => expect(Buffer.compare(Buffer.from(values.buffer), Buffer.from(plain[i].buffer)), `output ${i}`).toBe(0))
    expect(native[0].some((w, i) => w !== seeded(n, 1)[i])).toBe(true)
    tf.dispose(Object.values(inputs))
  })

  it('add a per-channel bias and sum over all but the channel axis; other adds and sums still work', async () => {
    const a = seeded(4 * 5 * 6 * 11, 1)
    const b = seeded(11, 2)
    const ops = () => {
      const x = tf.tensor4d(a, [4, 5, 6, 11])
      const bias = tf.tensor1d(b)
      return [
        tf.add(x, bias), tf.add(bias, x), tf.sum(x, [0, 1, 2]), tf.sum(x, [2, 0, 1], true), tf.sum(x, [-4, -3, -2]),
        tf.add(x, tf.tensor(seeded(6 * 11, 3), [6, 11])), tf.add(x, x), tf.sum(x), tf.sum(x, [1, 2]), tf.sum(x, -1)
      ]
    }
    const wasm = await valuesOn('wasm', ops)
    const cpu = await valuesOn('cpu', ops)
    await tf.setBackend('wasm')
    wasm.forEach((values, i) => expect(relativeError(values, cpu[i]), `op ${i}`).toBeLessThan(1e-6))
    expect(tf.tidy(() => tf.sum(tf.ones([2, 3, 4]), [0, 1], true).shape)).toEqual([1, 1, 4])
  })
})

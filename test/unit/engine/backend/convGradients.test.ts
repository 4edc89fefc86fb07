import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { nativeKernels } from '../../../../src-main/engine/backend/nativeKernels'
import { registerWasmKernels } from '../../../../src-main/engine/backend/registerWasmKernels'
import { initBackend } from '../../../../src-main/engine/backend/select'
import { relativeError, seeded, sizeOf, valuesOn, wasmDataIds } from './compareBackends'

type Shape4 = [number, number, number, number]
type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]]

interface ConvCase {
  x: [number, number, number, number]
  kernel: [number, number]
  outChannels: number
  strides: number | [number, number]
  pad: Pad
  rounding?: 'floor' | 'ceil' | 'round'
}

// Batch sizes 1–4, strides 1, 2, 3 and mixed, 'same', 'valid', numeric and explicit padding,
// square and rectangular kernels, inputs whose size the stride does not divide.
const cases: ConvCase[] = [
  { x: [1, 5, 5, 1], kernel: [3, 3], outChannels: 1, strides: 1, pad: 'same' },
  { x: [2, 7, 7, 3], kernel: [3, 3], outChannels: 4, strides: 1, pad: 'same' },
  { x: [2, 7, 7, 3], kernel: [3, 3], outChannels: 4, strides: 2, pad: 'same' },
  { x: [2, 8, 8, 2], kernel: [3, 3], outChannels: 3, strides: 2, pad: 'same' },
  { x: [3, 8, 9, 2], kernel: [3, 3], outChannels: 5, strides: 2, pad: 'valid' },
  { x: [2, 9, 8, 3], kernel: [2, 2], outChannels: 2, strides: 2, pad: 'valid' },
  { x: [4, 6, 6, 2], kernel: [1, 1], outChannels: 3, strides: 1, pad: 'valid' },
  { x: [1, 6, 6, 2], kernel: [3, 3], outChannels: 2, strides: 1, pad: 'valid' },
  { x: [2, 10, 7, 2], kernel: [5, 5], outChannels: 3, strides: 2, pad: 'same' },
  { x: [1, 11, 11, 2], kernel: [4, 4], outChannels: 2, strides: 3, pad: 'same' },
  { x: [2, 11, 10, 2], kernel: [3, 3], outChannels: 2, strides: 3, pad: 'valid' },
  { x: [2, 7, 8, 3], kernel: [2, 3], outChannels: 3, strides: [2, 1], pad: 'same' },
  { x: [2, 7, 8, 3], kernel: [3, 2], outChannels: 2, strides: [1, 2], pad: 'valid' },
  { x: [2, 6, 7, 2], kernel: [3, 3], outChannels: 2, strides: 2, pad: 1, rounding: 'floor' },
  { x: [2, 6, 6, 2], kernel: [2, 3], outChannels: 3, strides: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  // Padding wider than the kernel: the input gradient must crop, not pad, at the start.
  { x: [1, 5, 6, 2], kernel: [2, 2], outChannels: 2, strides: 2, pad: [[0, 0], [3, 0], [2, 3], [0, 0]] },
  // A window covering the whole input (LeNet-5's C5), square and not, which the input
  // gradient computes as a matrix product; and one with padding, which it must not.
  { x: [3, 5, 5, 4], kernel: [5, 5], outChannels: 6, strides: 1, pad: 'valid' },
  { x: [2, 3, 4, 2], kernel: [3, 4], outChannels: 3, strides: 2, pad: 'valid' },
  { x: [2, 3, 3, 2], kernel: [3, 3], outChannels: 3, strides: 3, pad: [[0, 0], [1, 1], [1, 1], [0, 0]] }
]

const label = (c: ConvCase) =>
  `x ${c.x.join('×')}, kernel ${c.kernel.join('×')}, strides ${c.strides}, pad ${JSON.stringify(c.pad)}${c.rounding ? ` ${c.rounding}` : ''}`

const tolerance = 1e-5

beforeAll(async () => {
  const report = await initBackend('wasm')
  expect(report.chosen).toBe('wasm')
})

/** Gradients of Σ conv(x, w)·r for a fixed random r, so dy is random rather than all ones. */
function convGradients(c: ConvCase, depthwise: boolean, multiplier: number) {
  const filterShape: [number, number, number, number] = [...c.kernel, c.x[3], depthwise ? multiplier : c.outChannels]
  const xValues = seeded(sizeOf(c.x), 11)
  const wValues = seeded(sizeOf(filterShape), 23)
  const forward = (x: tf.Tensor4D, w: tf.Tensor4D) =>
    depthwise
      ? tf.depthwiseConv2d(x, w, c.strides, c.pad, 'NHWC', 1, c.rounding)
      : tf.conv2d(x, w, c.strides, c.pad, 'NHWC', 1, c.rounding)
  return () => {
    const x = tf.tensor4d(xValues, c.x)
    const w = tf.tensor4d(wValues, filterShape)
    const outShape = forward(x, w).shape
    const r = tf.tensor(seeded(sizeOf(outShape), 37), outShape)
    return tf.grads((...[x, w]: tf.Tensor[]) => tf.sum(tf.mul(forward(x as tf.Tensor4D, w as tf.Tensor4D), r)))([x, w])
  }
}

async function expectSameGradients(compute: () => tf.Tensor[]) {
  const expected = await valuesOn('cpu', compute)
  const before = await valuesOn('wasm', () => []).then(wasmDataIds)
  const actual = await valuesOn('wasm', compute)
  expect(wasmDataIds(), 'wasm tensors leaked by the gradient kernels').toBe(before)
  const [dx, dw] = actual.map((values, i) => relativeError(values, expected[i]))
  expect(dx, 'dx relative error').toBeLessThan(tolerance)
  expect(dw, 'dW relative error').toBeLessThan(tolerance)
}

describe('Conv2D gradients on wasm match the cpu backend', () => {
  for (const c of cases) {
    it(label(c), async () => {
      await expectSameGradients(convGradients(c, false, 1))
    })
  }
})

describe('DepthwiseConv2dNative gradients on wasm match the cpu backend', () => {
  for (const c of cases) {
    for (const multiplier of [1, 2]) {
      it(`${label(c)}, channel multiplier ${multiplier}`, async () => {
        await expectSameGradients(convGradients(c, true, multiplier))
      })
    }
  }
})

/** Runs one gradient kernel directly with the same inputs and attributes on a backend. */
function kernelRun(kernel: string, inputs: Record<string, { values: Float32Array; shape: number[] }>, attrs: object) {
  return () => {
    const tensors = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.values, v.shape)]))
    return [tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor]
  }
}

async function expectSameKernelResult(compute: () => tf.Tensor[]) {
  const [expected] = await valuesOn('cpu', compute)
  const [actual] = await valuesOn('wasm', compute)
  expect(relativeError(actual, expected)).toBeLessThan(tolerance)
}

describe('gradient kernels called directly match the cpu backend', () => {
  // tfjs's Conv2D gradient drops dimRoundingMode, so 'ceil' only arrives in direct calls,
  // and there the cpu backend gets the same consistent attributes.
  for (const depthwise of [false, true]) {
    it(`${depthwise ? 'depthwise' : 'Conv2D'} with pad 1 and dimRoundingMode 'ceil'`, async () => {
      const xShape = [2, 6, 7, 2]
      const filterShape = [3, 3, 2, depthwise ? 2 : 3]
      const attrs = { strides: 2, pad: 1, dimRoundingMode: 'ceil', dataFormat: 'NHWC', dilations: 1 }
      const dyShape = tf.backend_util.computeConv2DInfo(xShape as Shape4, filterShape as Shape4, 2, 1, 1, 'ceil', depthwise).outShape
      expect(dyShape.slice(1, 3)).toEqual([4, 4])
      const x = { values: seeded(sizeOf(xShape), 5), shape: xShape }
      const dy = { values: seeded(sizeOf(dyShape), 6), shape: dyShape }
      const filter = { values: seeded(sizeOf(filterShape), 7), shape: filterShape }
      const prefix = depthwise ? 'DepthwiseConv2dNative' : 'Conv2D'
      await expectSameKernelResult(kernelRun(`${prefix}BackpropFilter`, { x, dy }, { ...attrs, filterShape }))
      await expectSameKernelResult(kernelRun(`${prefix}BackpropInput`, { dy, filter }, { ...attrs, inputShape: xShape }))
    })
  }
})

/**
 * The cpu backend ignores dilations in its depthwise gradient kernels, so the reference is the
 * equivalent undilated convolution: the filter with dilation−1 zeros between its taps.
 */
describe('dilated depthwise gradient kernels match the undilated equivalent on cpu', () => {
  const dilationCases: Array<{ x: number[]; kernel: [number, number]; multiplier: number; dilation: [number, number]; pad: 'same' | 'valid' }> = [
    { x: [2, 9, 9, 2], kernel: [3, 3], multiplier: 1, dilation: [2, 2], pad: 'same' },
    { x: [1, 10, 8, 3], kernel: [3, 2], multiplier: 2, dilation: [2, 3], pad: 'valid' },
    { x: [3, 11, 11, 1], kernel: [2, 2], multiplier: 3, dilation: [3, 3], pad: 'same' }
  ]
  for (const c of dilationCases) {
    it(`x ${c.x.join('×')}, kernel ${c.kernel.join('×')}, dilation ${c.dilation}, pad ${c.pad}, multiplier ${c.multiplier}`, async () => {
      const [kh, kw] = c.kernel
      const [dh, dw] = c.dilation
      const channels = c.x[3]
      const filterShape = [kh, kw, channels, c.multiplier]
      const wide = [(kh - 1) * dh + 1, (kw - 1) * dw + 1, channels, c.multiplier]
      const filter = seeded(sizeOf(filterShape), 41)
      const wideFilter = new Float32Array(sizeOf(wide))
      const inner = channels * c.multiplier
      for (let i = 0; i < kh; i++)
        for (let j = 0; j < kw; j++)
          wideFilter.set(filter.subarray((i * kw + j) * inner, (i * kw + j + 1) * inner), (i * dh * wide[1] + j * dw) * inner)
      const xValues = seeded(sizeOf(c.x), 42)
      const reference = await valuesOn('cpu', () => {
        const x = tf.tensor4d(xValues, c.x as [number, number, number, number])
        const w = tf.tensor4d(wideFilter, wide as [number, number, number, number])
        const outShape = tf.depthwiseConv2d(x, w, 1, c.pad).shape
        const r = tf.tensor(seeded(sizeOf(outShape), 43), outShape)
        return [r, ...tf.grads((...[x, w]: tf.Tensor[]) => tf.sum(tf.mul(tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, c.pad), r)))([x, w])]
      })
      const [dy, dxExpected, dWideExpected] = reference
      const dwExpected = new Float32Array(sizeOf(filterShape))
      for (let i = 0; i < kh; i++)
        for (let j = 0; j < kw; j++)
          dwExpected.set(dWideExpected.subarray((i * dh * wide[1] + j * dw) * inner, (i * dh * wide[1] + j * dw + 1) * inner), (i * kw + j) * inner)
      const dyShape = tf.backend_util.computeConv2DInfo(c.x as Shape4, wide as Shape4, 1, 1, c.pad, undefined, true).outShape
      const attrs = { strides: 1, pad: c.pad, dilations: c.dilation }
      const [dx] = await valuesOn(
        'wasm',
        kernelRun('DepthwiseConv2dNativeBackpropInput', { dy: { values: dy, shape: dyShape }, filter: { values: filter, shape: filterShape } }, { ...attrs, inputShape: c.x })
      )
      const [dW] = await valuesOn(
        'wasm',
        kernelRun('DepthwiseConv2dNativeBackpropFilter', { x: { values: xValues, shape: c.x }, dy: { values: dy, shape: dyShape } }, { ...attrs, filterShape })
      )
      expect(relativeError(dx, dxExpected)).toBeLessThan(tolerance)
      expect(relativeError(dW, dwExpected)).toBeLessThan(tolerance)
    })
  }
})

describe('registerWasmKernels', () => {
  it('installs our kernels once and reports them, the native ones where the addon is built', () => {
    const names = [
      'Conv2DBackpropFilter',
      'DepthwiseConv2dNativeBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
      'FeaturelensAdamUpdate',
      'Conv2DBackpropInput',
      'MaxPoolGrad',
      'AvgPoolGrad',
      'BatchMatMul',
      'Identity',
      ...(nativeKernels().kernels ? ['Add', 'Sum', 'Conv2D', 'FusedConv2D', '_FusedMatMul'] : [])
    ].sort()
    expect(registerWasmKernels().sort()).toEqual(names)
    expect(registerWasmKernels().sort()).toEqual(names)
    expect(tf.getKernelsForBackend('wasm').filter((k) => names.includes(k.kernelName))).toHaveLength(names.length)
  })
})

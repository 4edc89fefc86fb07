import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { convKernels, filterImages, type ConvKernel } from '../../../../src-main/engine/analysis/featureMaps/filters'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

/** A [kh, kw, in, out] kernel whose weight at (y, x, i, o) is f(y, x, i, o). */
function kernelOf(shape: [number, number, number, number], f: (y: number, x: number, i: number, o: number) => number): ConvKernel {
  const [kh, kw, inputs, outputs] = shape
  const data = new Float32Array(kh * kw * inputs * outputs)
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < inputs; i++) for (let o = 0; o < outputs; o++) data[((y * kw + x) * inputs + i) * outputs + o] = f(y, x, i, o)
  return { layer: 'conv', shape, data }
}
const options = { view: 'auto' as const, normalise: 'filter' as const, maxFilters: 256, maxInputs: 64 }

describe('filter images', () => {
  it('shows a 3-input layer in RGB with zero at mid-grey, scaled per filter', () => {
    // Filter o: red channel +o, green −o, blue 0 at every tap (so its largest |w| is o).
    const kernel = kernelOf([2, 2, 3, 3], (_y, _x, i, o) => (i === 0 ? o : i === 1 ? -o : 0))
    const images = filterImages(kernel, options)
    expect(images.view).toBe('rgb')
    expect(Array.from(images.scales)).toEqual([0, 1, 2])
    // [filters, kh, kw, 3]: filter 2's first pixel is (1, 0, 0.5); filter 0 (all zero) is grey.
    expect(Array.from(images.values.subarray(2 * 12, 2 * 12 + 3))).toEqual([1, 0, 0.5])
    expect(Array.from(images.values.subarray(0, 3))).toEqual([0.5, 0.5, 0.5])
    const shared = filterImages(kernel, { ...options, normalise: 'layer' })
    expect(Array.from(shared.scales)).toEqual([2, 2, 2])
    expect(Array.from(shared.values.subarray(12, 15))).toEqual([0.75, 0.25, 0.5])
  })

  it('shows deeper layers per input channel, planar, capped at the first filters and inputs', () => {
    const kernel = kernelOf([3, 3, 4, 5], (y, x, i, o) => (y * 3 + x + 1) * (i + 1) * (o % 2 === 0 ? 1 : -1))
    const images = filterImages(kernel, { ...options, maxFilters: 2, maxInputs: 3 })
    expect([images.view, images.filters, images.inputs]).toEqual(['perInput', 2, 3])
    expect(images.values.length).toBe(2 * 3 * 9)
    // Scale per filter over all 4 inputs: 9 × 4 = 36.
    expect(Array.from(images.scales)).toEqual([36, 36])
    // Filter 1, input 2, tap (1, 2): −(6)(3)/36.
    expect(images.values[((1 * 3 + 2) * 3 + 1) * 3 + 2]).toBeCloseTo(-18 / 36, 6)
  })

  it('reduces over input channels by mean, L2 norm or strongest input', () => {
    const kernel = kernelOf([1, 2, 2, 1], (_y, x, i) => (x === 0 ? [3, -1][i] : [0, -4][i]))
    const mean = filterImages(kernel, { ...options, view: 'mean' })
    expect(Array.from(mean.values)).toEqual([1, -2].map((v) => v / 2))
    const l2 = filterImages(kernel, { ...options, view: 'l2' })
    expect(Array.from(l2.values)).toEqual([Math.sqrt(10) / 4, 1].map((v) => Math.fround(v)))
    const maxabs = filterImages(kernel, { ...options, view: 'maxabs' })
    expect(Array.from(maxabs.values)).toEqual([3 / 4, -1])
    expect(() => filterImages(kernel, { ...options, view: 'rgb' })).toThrow(/"rgb" needs a layer with 3 input channels; this one has 2/)
  })

  it('reads the kernels of a real model, depthwise ones as one input per filter', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, name: 'c1' }),
        tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, name: 'dw' }),
        tf.layers.flatten({ name: 'f' })
      ]
    })
    const kernels = await convKernels(model)
    expect(kernels.map((k) => [k.layer, k.shape])).toEqual([
      ['c1', [3, 3, 3, 4]],
      ['dw', [3, 3, 1, 8]]
    ])
    const dw = model.getLayer('dw').getWeights()[0].dataSync()
    // Depthwise filter i·2 + j is the (i, j) slice of the [3, 3, 4, 2] kernel.
    expect(kernels[1].data[(1 * 3 + 2) * 8 + 3 * 2 + 1]).toBe(dw[((1 * 3 + 2) * 4 + 3) * 2 + 1])
    await expect(convKernels(model, ['f'])).rejects.toThrow(/layers: "f" is not a conv layer; the conv layers are c1, dw/)
  })
})

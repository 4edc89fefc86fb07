/**
 * Conv kernels as images (seed 001): the first layer of an RGB network in colour, deeper
 * layers one tile per input channel or reduced over the input channels. Values are scaled
 * by the largest |w| of each filter or of the whole layer, so zero weight is always the
 * middle of the scale and the scale shown is a real weight magnitude.
 */
import type * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../../src-shared/errors'
import type { FilterNormalise, FilterView } from '../../../../src-shared/inspect'

export interface ConvKernel {
  layer: string
  /** [kh, kw, in, out] as tfjs stores Conv2D kernels. */
  shape: [number, number, number, number]
  data: Float32Array
}

export interface FilterImages {
  name: string
  kernel: [number, number]
  inChannels: number
  outChannels: number
  view: Exclude<FilterView, 'auto'>
  filters: number
  inputs: number
  values: Float32Array
  scales: Float32Array
}

export interface FilterOptions {
  view: FilterView
  normalise: FilterNormalise
  maxFilters: number
  maxInputs: number
}

/**
 * The kernels of every Conv2D and DepthwiseConv2D layer. A depthwise kernel [kh, kw, in, m]
 * is shown as in·m filters of one input channel each, which is what it computes.
 */
export async function convKernels(model: tf.LayersModel, names?: string[]): Promise<ConvKernel[]> {
  const convs = model.layers.filter((l) => ['Conv2D', 'DepthwiseConv2D'].includes(l.getClassName()))
  if (names) {
    const missing = names.filter((n) => !convs.some((l) => l.name === n))
    if (missing.length) {
      throw new ApiError('invalid_request', `layers: ${missing.map((m) => `"${m}"`).join(', ')} ${missing.length > 1 ? 'are not conv layers' : 'is not a conv layer'}; the conv layers are ${convs.map((l) => l.name).join(', ') || 'none'}`)
    }
  }
  const chosen = convs.filter((l) => !names || names.includes(l.name))
  // Async reads: a GPU backend has no synchronous one.
  const values = await Promise.all(chosen.map((l) => l.getWeights()[0].data() as Promise<Float32Array>))
  return chosen.map((l, index) => {
    const kernel = l.getWeights()[0]
    const [kh, kw, inputs, m] = kernel.shape as [number, number, number, number]
    const data = values[index]
    if (l.getClassName() === 'Conv2D') return { layer: l.name, shape: [kh, kw, inputs, m] as [number, number, number, number], data: Float32Array.from(data) }
    // Depthwise: filter (i·m + j) sees input i only; expand to a block-diagonal [kh, kw, 1, in·m].
    const out = new Float32Array(kh * kw * inputs * m)
    for (let p = 0; p < kh * kw; p++) for (let i = 0; i < inputs; i++) for (let j = 0; j < m; j++) out[p * inputs * m + i * m + j] = data[(p * inputs + i) * m + j]
    return { layer: l.name, shape: [kh, kw, 1, inputs * m] as [number, number, number, number], data: out }
  })
}

function resolveView(view: FilterView, inputs: number): Exclude<FilterView, 'auto'> {
  if (view === 'auto') return inputs === 3 ? 'rgb' : 'perInput'
  if (view === 'rgb' && inputs !== 3) throw new ApiError('invalid_request', `view: "rgb" needs a layer with 3 input channels; this one has ${inputs}. Use perInput, mean, l2 or maxabs`)
  return view
}

/** Filter images of one kernel. */
export function filterImages(kernel: ConvKernel, options: FilterOptions): FilterImages {
  const [kh, kw, inputs, outputs] = kernel.shape
  if (kernel.data.length !== kh * kw * inputs * outputs) throw new ApiError('bad_input', `${kernel.layer}: ${kernel.data.length} weights do not fill a [${kernel.shape.join(', ')}] kernel`)
  const view = resolveView(options.view, inputs)
  const filters = Math.min(outputs, options.maxFilters)
  const shownInputs = view === 'perInput' ? Math.min(inputs, options.maxInputs) : view === 'rgb' ? 3 : 1
  const w = (y: number, x: number, i: number, o: number): number => kernel.data[((y * kw + x) * inputs + i) * outputs + o]

  // Largest |w| per filter over all its inputs (not only the shown ones), so the scale is the filter's own.
  const filterMax = new Float32Array(outputs)
  for (let idx = 0; idx < kernel.data.length; idx++) {
    const o = idx % outputs
    filterMax[o] = Math.max(filterMax[o], Math.abs(kernel.data[idx]))
  }
  const reduced = view === 'mean' || view === 'l2' || view === 'maxabs'
  const plane = kh * kw
  const values = new Float32Array(filters * shownInputs * plane)
  if (reduced) {
    for (let o = 0; o < filters; o++) {
      for (let p = 0; p < plane; p++) {
        const y = Math.floor(p / kw)
        const x = p % kw
        let acc = 0
        for (let i = 0; i < inputs; i++) {
          const v = w(y, x, i, o)
          if (view === 'mean') acc += v / inputs
          else if (view === 'l2') acc += v * v
          else if (Math.abs(v) > Math.abs(acc)) acc = v
        }
        values[o * plane + p] = view === 'l2' ? Math.sqrt(acc) : acc
      }
    }
  } else {
    for (let o = 0; o < filters; o++) {
      for (let i = 0; i < shownInputs; i++) {
        for (let y = 0; y < kh; y++) {
          for (let x = 0; x < kw; x++) {
            // rgb is pixel-interleaved [o, y, x, i]; perInput is planar [o, i, y, x].
            const at = view === 'rgb' ? ((o * kh + y) * kw + x) * 3 + i : ((o * shownInputs + i) * kh + y) * kw + x
            values[at] = w(y, x, i, o)
          }
        }
      }
    }
  }
  // The scale follows what is drawn: a reduction has its own range (the mean of inputs is smaller than any one).
  const scales = new Float32Array(filters)
  const perFilter = filters > 0 ? values.length / filters : 0
  for (let o = 0; o < filters; o++) {
    if (!reduced) scales[o] = filterMax[o]
    else for (let k = 0; k < perFilter; k++) scales[o] = Math.max(scales[o], Math.abs(values[o * perFilter + k]))
  }
  if (options.normalise === 'layer') {
    const all = reduced ? Math.max(0, ...scales) : filterMax.reduce((a, b) => Math.max(a, b), 0)
    scales.fill(all)
  }
  for (let o = 0; o < filters; o++) {
    const s = scales[o] > 0 ? scales[o] : 1
    for (let k = 0; k < perFilter; k++) {
      const v = values[o * perFilter + k] / s
      values[o * perFilter + k] = view === 'rgb' ? 0.5 + 0.5 * v : v
    }
  }
  return { name: kernel.layer, kernel: [kh, kw], inChannels: inputs, outChannels: outputs, view, filters, inputs: shownInputs, values, scales }
}

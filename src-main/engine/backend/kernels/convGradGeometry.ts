import type { TensorInfo } from '@tensorflow/tfjs'
import type { WasmScratch } from './wasmScratch'

/** Padding of one spatial axis of a helper convolution; a negative value means cropping. */
export interface AxisPad {
  begin: number
  end: number
}

/** The geometry of one spatial axis of the forward convolution. */
export interface ForwardAxis {
  inSize: number
  filterSize: number
  stride: number
  dilation: number
  padBegin: number
  outSize: number
}

/**
 * Filter gradient along one axis: dW[k] = Σ_o x[o·stride − padBegin + k·dilation] · dy[o].
 * That is a convolution of x with dy as the filter, using the forward dilation as its stride
 * and the forward stride as its dilation. The end padding is chosen so that it yields exactly
 * filterSize outputs; it is negative when the forward pass never read the last input rows
 * ('valid' padding with a stride that does not divide evenly), and those rows are cropped.
 */
export function filterGradAxis(a: ForwardAxis): AxisPad {
  const dyExtent = (a.outSize - 1) * a.stride + 1
  return { begin: a.padBegin, end: (a.filterSize - 1) * a.dilation + dyExtent - a.inSize - a.padBegin }
}

/**
 * Input gradient along one axis: dx[i] = Σ_k dyDilated[i + padBegin − k·dilation] · w[k], where
 * dyDilated is dy with stride−1 zeros between entries. With the filter reversed that is a
 * stride-1 convolution of dyDilated whose padding makes it yield exactly inSize outputs.
 */
export function inputGradAxis(a: ForwardAxis): AxisPad {
  const dyExtent = (a.outSize - 1) * a.stride + 1
  return { begin: (a.filterSize - 1) * a.dilation - a.padBegin, end: a.inSize + a.padBegin - dyExtent }
}

/**
 * Crops rank-4 NHWC `x` where a pad is negative and returns the remaining (non-negative)
 * pads, ready to be given to a convolution as explicit padding.
 */
export function cropNegativePads(scratch: WasmScratch, x: TensorInfo, h: AxisPad, w: AxisPad): { x: TensorInfo; pad: number[][] } {
  const cut = (p: AxisPad): [number, number] => [Math.max(0, -p.begin), Math.max(0, -p.end)]
  const [top, bottom] = cut(h)
  const [left, right] = cut(w)
  let cropped = x
  if (top + bottom + left + right > 0) {
    const [n, height, width, c] = x.shape
    cropped = scratch.slice(x, [0, top, left, 0], [n, height - top - bottom, width - left - right, c])
  }
  const keep = (v: number) => Math.max(0, v)
  return { x: cropped, pad: [[0, 0], [keep(h.begin), keep(h.end)], [keep(w.begin), keep(w.end)], [0, 0]] }
}

/**
 * Inserts stride−1 zeros after every row and column of NHWC `dy` (trailing ones included), so
 * that a strided convolution's input gradient becomes a stride-1 convolution. The trailing
 * zeros are not part of the dilated extent (outSize−1)·stride+1 that the pads assume, which is
 * why callers subtract stride−1 from the end pads.
 */
export function dilateSpatially(scratch: WasmScratch, dy: TensorInfo, strideH: number, strideW: number): TensorInfo {
  if (strideH === 1 && strideW === 1) return dy
  const [n, oh, ow, c] = dy.shape
  const spread = scratch.pad(scratch.view(dy, [n, oh, 1, ow, 1, c]), [
    [0, 0],
    [0, 0],
    [0, strideH - 1],
    [0, 0],
    [0, strideW - 1],
    [0, 0]
  ])
  return scratch.view(spread, [n, oh * strideH, ow * strideW, c])
}

/** inputGradAxis for a dy that dilateSpatially spread out, trailing zeros included. */
export function dilatedInputGradAxis(a: ForwardAxis): AxisPad {
  const pad = inputGradAxis(a)
  return { begin: pad.begin, end: pad.end - (a.stride - 1) }
}

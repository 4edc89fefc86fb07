import { backend_util } from '@tensorflow/tfjs'

/** Attributes shared by the two depthwise-convolution gradient kernels. */
export type DepthwiseGradAttrs = {
  strides: number | [number, number]
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding
  dilations?: number | [number, number]
  dimRoundingMode?: 'floor' | 'round' | 'ceil'
}

/** The forward depthwise convolution's geometry, as the gradient kernels need it. */
export function depthwiseInfo(
  kernel: string,
  xShape: number[],
  filterShape: number[],
  attrs: DepthwiseGradAttrs
): backend_util.Conv2DInfo {
  if (xShape.length !== 4 || filterShape.length !== 4) {
    throw new Error(`wasm ${kernel}: expected rank-4 input and filter shapes, got ${xShape} and ${filterShape}`)
  }
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    true
  )
}

import { backend_util } from '@tensorflow/tfjs'
import type { ForwardAxis } from './convGradGeometry'

/** Attributes shared by the Conv2D gradient kernels (Conv2D gradients have no dilation). */
export type Conv2DGradAttrs = {
  strides: number | [number, number]
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding
  dataFormat: 'NHWC' | 'NCHW'
  dimRoundingMode?: 'floor' | 'round' | 'ceil'
}

/** The forward convolution's geometry, as the gradient kernels need it. */
export function conv2DInfo(kernel: string, xShape: number[], filterShape: number[], attrs: Conv2DGradAttrs): backend_util.Conv2DInfo {
  const format = backend_util.convertConv2DDataFormat(attrs.dataFormat)
  if (format !== 'channelsLast') throw new Error(`wasm ${kernel} supports dataFormat 'NHWC' only, got '${attrs.dataFormat}'`)
  if (xShape.length !== 4 || filterShape.length !== 4) {
    throw new Error(`wasm ${kernel}: expected rank-4 input and filter shapes, got ${xShape} and ${filterShape}`)
  }
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    format
  )
}

/**
 * Both spatial axes of a convolution (regular or depthwise) as ForwardAxis records. The output
 * size comes from dy, not from `info`: tfjs's Conv2D gradient drops the forward pass's
 * dimRoundingMode, so with 'ceil' the recomputed output can be one row short of dy, and
 * dy's own shape is what the gradient must cover.
 */
export function spatialAxes(info: backend_util.Conv2DInfo, dyShape: number[]): { h: ForwardAxis; w: ForwardAxis } {
  return {
    h: {
      inSize: info.inHeight,
      filterSize: info.filterHeight,
      stride: info.strideHeight,
      dilation: info.dilationHeight,
      padBegin: info.padInfo.top,
      outSize: dyShape[1]
    },
    w: {
      inSize: info.inWidth,
      filterSize: info.filterWidth,
      stride: info.strideWidth,
      dilation: info.dilationWidth,
      padBegin: info.padInfo.left,
      outSize: dyShape[2]
    }
  }
}

/** Checks dy against the forward output's batch and channels, naming both shapes if wrong. */
export function checkDyShape(kernel: string, dyShape: number[], info: backend_util.Conv2DInfo): void {
  const [n, , , c] = info.outShape
  if (dyShape.length !== 4 || dyShape[0] !== n || dyShape[3] !== c) {
    throw new Error(`wasm ${kernel}: dy has shape [${dyShape}] but the convolution output is [${info.outShape}]`)
  }
}

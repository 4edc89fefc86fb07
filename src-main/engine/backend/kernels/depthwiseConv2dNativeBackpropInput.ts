import { DepthwiseConv2dNativeBackpropInput, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs'
import { cropNegativePads, inputGradAxis } from './convGradGeometry'
import { axes, depthwiseInfo, type DepthwiseGradAttrs } from './depthwiseConvAttrs'
import type { WasmScratch } from './wasmScratch'
import { withScratch } from './wasmScratch'

/** Inserts stride−1 zeros after every dy row and column (trailing ones included). */
function dilate(scratch: WasmScratch, dy: TensorInfo, strideH: number, strideW: number): TensorInfo {
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

/**
 * dx for DepthwiseConv2dNative, missing from tfjs-backend-wasm 4.22.
 *
 * dx[n,i,j,c] = Σ_{m,kh,kw} dyDilated[n, i+pt−kh·d, j+pl−kw·d, c·M+m] · w[kh,kw,c,m]: a stride-1
 * depthwise convolution (multiplier 1 over C·M channels) of the zero-dilated dy with the
 * spatially reversed filter, followed by a sum over M, all in wasm's own kernels.
 */
export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo }
    const gradAttrs = attrs as unknown as DepthwiseGradAttrs & { inputShape: [number, number, number, number] }
    const info = depthwiseInfo('DepthwiseConv2dNativeBackpropInput', gradAttrs.inputShape, filter.shape, gradAttrs)
    const [n, height, width, channels] = gradAttrs.inputShape
    const [filterHeight, filterWidth, , multiplier] = filter.shape
    const { h, w } = axes(info)
    return withScratch(backend, (scratch) => {
      const spread = dilate(scratch, dy, info.strideHeight, info.strideWidth)
      // The dilation leaves stride−1 trailing zeros that the padding arithmetic does not count.
      const padH = inputGradAxis(h)
      const padW = inputGradAxis(w)
      padH.end -= info.strideHeight - 1
      padW.end -= info.strideWidth - 1
      const cropped = cropNegativePads(scratch, spread, padH, padW)
      const flipped = scratch.view(scratch.reverse(filter, [0, 1]), [filterHeight, filterWidth, channels * multiplier, 1])
      const perMultiplier = scratch.run(
        'DepthwiseConv2dNative',
        { x: cropped.x, filter: flipped },
        { strides: [1, 1], dilations: [info.dilationHeight, info.dilationWidth], pad: cropped.pad, dimRoundingMode: 'floor' }
      )
      if (multiplier === 1) return perMultiplier
      return scratch.sum(scratch.view(perMultiplier, [n, height, width, channels, multiplier]), [4])
    })
  }
}

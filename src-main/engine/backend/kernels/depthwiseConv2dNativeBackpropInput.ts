import { DepthwiseConv2dNativeBackpropInput, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs'
import { cropNegativePads, dilatedInputGradAxis, dilateSpatially } from './convGradGeometry'
import { checkDyShape, spatialAxes } from './conv2DAttrs'
import { depthwiseInfo, type DepthwiseGradAttrs } from './depthwiseConvAttrs'
import { withScratch } from './wasmScratch'

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
    const gradAttrs = attrs as DepthwiseGradAttrs & { inputShape: [number, number, number, number] }
    const info = depthwiseInfo('DepthwiseConv2dNativeBackpropInput', gradAttrs.inputShape, filter.shape, gradAttrs)
    const [n, height, width, channels] = gradAttrs.inputShape
    const [filterHeight, filterWidth, , multiplier] = filter.shape
    checkDyShape('DepthwiseConv2dNativeBackpropInput', dy.shape, info)
    const { h, w } = spatialAxes(info, dy.shape)
    return withScratch(backend, (scratch) => {
      const spread = dilateSpatially(scratch, dy, info.strideHeight, info.strideWidth)
      const cropped = cropNegativePads(scratch, spread, dilatedInputGradAxis(h), dilatedInputGradAxis(w))
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

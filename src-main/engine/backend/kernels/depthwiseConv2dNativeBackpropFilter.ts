import { DepthwiseConv2dNativeBackpropFilter, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs'
import { cropNegativePads, filterGradAxis } from './convGradGeometry'
import { checkDyShape, spatialAxes } from './conv2DAttrs'
import { depthwiseInfo, type DepthwiseGradAttrs } from './depthwiseConvAttrs'
import { withScratch } from './wasmScratch'

/**
 * dW for DepthwiseConv2dNative (depthwise and separable conv layers), missing from
 * tfjs-backend-wasm 4.22.
 *
 * dW[kh,kw,c,m] = Σ_{n,oh,ow} x[n, oh·s−pt+kh·d, …, c] · dy[n,oh,ow,c·M+m]. Folding the batch
 * into the channels turns this into one depthwise convolution of x as [1,H,W,C·N] with dy as
 * the filter [OH,OW,C·N,M] (stride and dilation swapped), then a sum over N. Both steps run in
 * wasm's own kernels.
 */
export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo }
    const gradAttrs = attrs as DepthwiseGradAttrs & { filterShape: [number, number, number, number] }
    const info = depthwiseInfo('DepthwiseConv2dNativeBackpropFilter', x.shape, gradAttrs.filterShape, gradAttrs)
    const [n, height, width, channels] = x.shape
    const multiplier = gradAttrs.filterShape[3]
    const [, outHeight, outWidth] = dy.shape
    checkDyShape('DepthwiseConv2dNativeBackpropFilter', dy.shape, info)
    const { h, w } = spatialAxes(info, dy.shape)
    return withScratch(backend, (scratch) => {
      const xT = scratch.view(scratch.transpose(x, [1, 2, 3, 0]), [1, height, width, channels * n])
      const dy5 = scratch.view(dy, [n, outHeight, outWidth, channels, multiplier])
      const dyT = scratch.view(scratch.transpose(dy5, [1, 2, 3, 0, 4]), [outHeight, outWidth, channels * n, multiplier])
      const cropped = cropNegativePads(scratch, xT, filterGradAxis(h), filterGradAxis(w))
      const perSample = scratch.run(
        'DepthwiseConv2dNative',
        { x: cropped.x, filter: dyT },
        {
          strides: [info.dilationHeight, info.dilationWidth],
          dilations: [info.strideHeight, info.strideWidth],
          pad: cropped.pad,
          dimRoundingMode: 'floor'
        }
      )
      const grouped = scratch.view(perSample, [info.filterHeight, info.filterWidth, channels, n, multiplier])
      return n === 1 ? scratch.view(perSample, gradAttrs.filterShape) : scratch.sum(grouped, [3])
    })
  }
}

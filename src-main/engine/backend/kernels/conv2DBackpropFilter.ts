import { Conv2DBackpropFilter, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs'
import { checkDyShape, conv2DInfo, spatialAxes, type Conv2DGradAttrs } from './conv2DAttrs'
import { cropNegativePads, filterGradAxis } from './convGradGeometry'
import { withScratch } from './wasmScratch'

/**
 * dW for Conv2D, missing from tfjs-backend-wasm 4.22 (tfjs issue #8474).
 *
 * dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s−pt+kh, ow·s−pl+kw, ci] · dy[n,oh,ow,co], which is
 * conv2d(transpose(x) as [Cin,H,W,N], transpose(dy) as the filter [OH,OW,N,Cout]) with
 * dilation = forward stride: the batch becomes the reduced channel axis. The work runs in
 * XNNPACK through wasm's own Conv2D kernel.
 */
export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo }
    const gradAttrs = attrs as Conv2DGradAttrs & { filterShape: [number, number, number, number] }
    const info = conv2DInfo('Conv2DBackpropFilter', x.shape, gradAttrs.filterShape, gradAttrs)
    checkDyShape('Conv2DBackpropFilter', dy.shape, info)
    const { h, w } = spatialAxes(info, dy.shape)
    return withScratch(backend, (scratch) => {
      const xT = scratch.transpose(x, [3, 1, 2, 0])
      const dyT = scratch.transpose(dy, [1, 2, 0, 3])
      const cropped = cropNegativePads(scratch, xT, filterGradAxis(h), filterGradAxis(w))
      const grad = scratch.run(
        'Conv2D',
        { x: cropped.x, filter: dyT },
        {
          strides: [info.dilationHeight, info.dilationWidth],
          dilations: [info.strideHeight, info.strideWidth],
          pad: cropped.pad,
          dataFormat: 'NHWC',
          dimRoundingMode: 'floor'
        }
      )
      return scratch.transpose(grad, [1, 2, 0, 3])
    })
  }
}

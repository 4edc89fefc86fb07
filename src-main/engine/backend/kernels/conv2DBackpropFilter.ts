import { backend_util, Conv2DBackpropFilter, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs'
import { cropNegativePads, filterGradAxis } from './convGradGeometry'
import { withScratch } from './wasmScratch'

interface Attrs {
  strides: number | [number, number]
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding
  dataFormat: 'NHWC' | 'NCHW'
  dimRoundingMode?: 'floor' | 'round' | 'ceil'
  filterShape: [number, number, number, number]
}

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
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Attrs
    const format = backend_util.convertConv2DDataFormat(dataFormat)
    if (format !== 'channelsLast') {
      throw new Error(`wasm Conv2DBackpropFilter supports dataFormat 'NHWC' only, got '${dataFormat}'`)
    }
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      format
    )
    if (dy.shape[1] !== info.outHeight || dy.shape[2] !== info.outWidth) {
      throw new Error(`wasm Conv2DBackpropFilter: dy shape ${dy.shape} does not match the convolution output ${info.outShape}`)
    }
    const h = filterGradAxis({
      inSize: info.inHeight,
      filterSize: info.filterHeight,
      stride: info.strideHeight,
      dilation: info.dilationHeight,
      padBegin: info.padInfo.top,
      outSize: info.outHeight
    })
    const w = filterGradAxis({
      inSize: info.inWidth,
      filterSize: info.filterWidth,
      stride: info.strideWidth,
      dilation: info.dilationWidth,
      padBegin: info.padInfo.left,
      outSize: info.outWidth
    })
    return withScratch(backend, (scratch) => {
      const xT = scratch.transpose(x, [3, 1, 2, 0])
      const dyT = scratch.transpose(dy, [1, 2, 0, 3])
      const cropped = cropNegativePads(scratch, xT, h, w)
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

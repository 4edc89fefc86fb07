import { Conv2DBackpropInput, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs'
import { checkDyShape, conv2DInfo, spatialAxes, type Conv2DGradAttrs } from './conv2DAttrs'
import { cropNegativePads, dilatedInputGradAxis, dilateSpatially } from './convGradGeometry'
import { withScratch } from './wasmScratch'

/**
 * dx for Conv2D. tfjs-backend-wasm 4.22 has this kernel, but as a plain scalar loop that runs
 * about ten times slower than its XNNPACK forward convolution, so it dominates training time.
 *
 * dx[n,i,j,ci] = Σ_{kh,kw,co} dyDilated[n, i+pt−kh, j+pl−kw, co] · w[kh,kw,ci,co]: a stride-1
 * convolution of the zero-dilated dy with the filter reversed in space and with its channel
 * axes swapped, which runs in XNNPACK through wasm's own Conv2D kernel.
 */
export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo }
    const gradAttrs = attrs as Conv2DGradAttrs & { inputShape: [number, number, number, number] }
    const info = conv2DInfo('Conv2DBackpropInput', gradAttrs.inputShape, filter.shape, gradAttrs)
    checkDyShape('Conv2DBackpropInput', dy.shape, info)
    const { h, w } = spatialAxes(info, dy.shape)
    const [n, height, width, channels] = gradAttrs.inputShape
    // A window that covers the whole unpadded input (LeNet-5's C5) is a dense layer: then
    // dx = dy·Wᵀ as one matrix product instead of a convolution over mostly padding (25×
    // the work for a 5×5 input).
    const dense = dy.shape[1] === 1 && dy.shape[2] === 1 && info.filterHeight === height && info.filterWidth === width && info.padInfo.top === 0 && info.padInfo.left === 0
    if (dense) {
      return withScratch(backend, (scratch) => {
        const cout = filter.shape[3]
        const product = scratch.run(
          'BatchMatMul',
          { a: scratch.view(dy, [1, n, cout]), b: scratch.view(filter, [1, height * width * channels, cout]) },
          { transposeA: false, transposeB: true }
        )
        return scratch.view(product, gradAttrs.inputShape)
      })
    }
    return withScratch(backend, (scratch) => {
      const spread = dilateSpatially(scratch, dy, info.strideHeight, info.strideWidth)
      const cropped = cropNegativePads(scratch, spread, dilatedInputGradAxis(h), dilatedInputGradAxis(w))
      const flipped = scratch.transpose(scratch.reverse(filter, [0, 1]), [0, 1, 3, 2])
      return scratch.run(
        'Conv2D',
        { x: cropped.x, filter: flipped },
        { strides: [1, 1], dilations: [1, 1], pad: cropped.pad, dataFormat: 'NHWC', dimRoundingMode: 'floor' }
      )
    })
  }
}

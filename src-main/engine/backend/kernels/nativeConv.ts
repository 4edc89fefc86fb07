import { AvgPoolGrad, backend_util, Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput, FusedConv2D, MaxPoolGrad, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs'
import type { NativeKernels } from '../nativeKernels'
import { checkDyShape, conv2DInfo, type Conv2DGradAttrs } from './conv2DAttrs'
import { poolInfo, type PoolGradAttrs } from './poolGrads'
import { f32, makeOutput } from './wasmHeap'

/** The geometry array the native conv kernels take; the output size is given (dy's, for gradients). */
function convGeometry(info: backend_util.Conv2DInfo, outHeight: number, outWidth: number): Int32Array {
  return Int32Array.of(
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.filterHeight, info.filterWidth, info.outChannels,
    outHeight, outWidth,
    info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
    info.padInfo.top, info.padInfo.left
  )
}

function poolGeometry(info: backend_util.Conv2DInfo): Int32Array {
  return Int32Array.of(
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.effectiveFilterHeight, info.effectiveFilterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left
  )
}

/**
 * Conv2D, its two gradients and the pooling gradients, computed by the native kernels on the tensors' wasm
 * memory. Used in place of wasm's own (and our JS/XNNPACK compositions) when the native addon
 * is built; bench/profile-train.ts measures the difference. Conv2D is the forward convolution a
 * layer runs while gradients are recorded; FusedConv2D (inference) stays XNNPACK's.
 */
const activations: Record<string, number> = { linear: 0, relu: 1, relu6: 2 }

/**
 * FusedConv2D (what a conv layer runs outside training: evaluation, feature maps) as the native
 * convolution plus bias and activation in place, for linear, relu and relu6 with a per-channel
 * bias; other activations, prelu weights or broadcast biases go to wasm's own kernel.
 */
export function nativeFusedConv2DConfig(native: NativeKernels, original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<'x' | 'filter' | 'bias' | 'preluActivationWeights', TensorInfo | undefined>
    const a = args.attrs as unknown as Conv2DGradAttrs & { dilations: number | [number, number]; activation?: string }
    const activation = activations[a.activation ?? 'linear']
    const channels = filter!.shape[3]
    const biasFits = !bias || (bias.shape.length === 1 && bias.shape[0] === channels && bias.dtype === 'float32')
    if (activation === undefined || preluActivationWeights || !biasFits || backend_util.convertConv2DDataFormat(a.dataFormat) !== 'channelsLast') {
      return original.kernelFunc(args) as TensorInfo
    }
    const info = backend_util.computeConv2DInfo(
      x!.shape as [number, number, number, number], filter!.shape as [number, number, number, number],
      a.strides, a.dilations, a.pad, a.dimRoundingMode, false, 'channelsLast'
    )
    const out = makeOutput(args.backend, info.outShape)
    const y = f32(args.backend, out)
    native.conv2dForward(f32(args.backend, x!), f32(args.backend, filter!), y, convGeometry(info, info.outHeight, info.outWidth))
    native.biasActivation(y, bias ? f32(args.backend, bias) : null, Int32Array.of(y.length / channels, channels, activation))
    return out
  }
  return { kernelName: FusedConv2D, backendName: 'wasm', setupFunc: original.setupFunc, kernelFunc }
}

export function nativeConvKernels(native: NativeKernels): KernelConfig[] {
  return [
    {
      kernelName: Conv2D,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo }
        const a = attrs as unknown as Conv2DGradAttrs & { dilations: number | [number, number] }
        if (backend_util.convertConv2DDataFormat(a.dataFormat) !== 'channelsLast') throw new Error(`wasm Conv2D supports dataFormat 'NHWC' only, got '${a.dataFormat}'`)
        const info = backend_util.computeConv2DInfo(
          x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
          a.strides, a.dilations, a.pad, a.dimRoundingMode, false, 'channelsLast'
        )
        const out = makeOutput(backend, info.outShape)
        native.conv2dForward(f32(backend, x), f32(backend, filter), f32(backend, out), convGeometry(info, info.outHeight, info.outWidth))
        return out
      }
    },
    {
      kernelName: Conv2DBackpropInput,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo }
        const a = attrs as unknown as Conv2DGradAttrs & { inputShape: [number, number, number, number] }
        const info = conv2DInfo('Conv2DBackpropInput', a.inputShape, filter.shape, a)
        checkDyShape('Conv2DBackpropInput', dy.shape, info)
        const out = makeOutput(backend, a.inputShape)
        native.conv2dBackpropInput(f32(backend, dy), f32(backend, filter), f32(backend, out), convGeometry(info, dy.shape[1], dy.shape[2]))
        return out
      }
    },
    {
      kernelName: Conv2DBackpropFilter,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo }
        const a = attrs as unknown as Conv2DGradAttrs & { filterShape: [number, number, number, number] }
        const info = conv2DInfo('Conv2DBackpropFilter', x.shape, a.filterShape, a)
        checkDyShape('Conv2DBackpropFilter', dy.shape, info)
        const out = makeOutput(backend, a.filterShape)
        native.conv2dBackpropFilter(f32(backend, x), f32(backend, dy), f32(backend, out), convGeometry(info, dy.shape[1], dy.shape[2]))
        return out
      }
    },
    {
      kernelName: MaxPoolGrad,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo }
        const info = poolInfo('MaxPoolGrad', input, dy, attrs as unknown as PoolGradAttrs)
        const out = makeOutput(backend, input.shape)
        native.maxPoolGrad(f32(backend, input), f32(backend, dy), f32(backend, out), poolGeometry(info))
        return out
      }
    },
    {
      kernelName: AvgPoolGrad,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo }
        const info = poolInfo('AvgPoolGrad', input, dy, attrs as unknown as PoolGradAttrs)
        const out = makeOutput(backend, input.shape)
        native.avgPoolGrad(f32(backend, dy), f32(backend, out), poolGeometry(info))
        return out
      }
    }
  ]
}

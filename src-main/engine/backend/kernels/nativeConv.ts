import { AvgPoolGrad, backend_util, Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput, FusedConv2D, MaxPoolGrad, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs'
import { nativeActivations, type NativeKernels } from '../nativeKernels'
import { checkDyShape, conv2DInfo, type Conv2DGradAttrs } from './conv2DAttrs'
import { poolInfo, type PoolGradAttrs } from './poolGrads'
import { f32, makeOutput } from './wasmHeap'

type Shape4 = [number, number, number, number]
type Conv2DAttrs = Conv2DGradAttrs & { dilations: number | [number, number] }

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

const isChannelsLast = (a: Conv2DAttrs) => backend_util.convertConv2DDataFormat(a.dataFormat) === 'channelsLast'

/** The forward convolution of x by filter, natively, into a new output. */
function convolve(native: NativeKernels, backend: unknown, x: TensorInfo, filter: TensorInfo, a: Conv2DAttrs): TensorInfo {
  const info = backend_util.computeConv2DInfo(x.shape as Shape4, filter.shape as Shape4, a.strides, a.dilations, a.pad, a.dimRoundingMode, false, 'channelsLast')
  const out = makeOutput(backend, info.outShape)
  native.conv2dForward(f32(backend, x), f32(backend, filter), f32(backend, out), convGeometry(info, info.outHeight, info.outWidth))
  return out
}

/**
 * FusedConv2D (what a conv layer runs outside training: evaluation, feature maps) as the native
 * convolution plus bias and activation in place, for linear, relu and relu6 with a per-channel
 * bias; other activations, prelu weights or broadcast biases go to wasm's own kernel.
 */
export function nativeFusedConv2DConfig(native: NativeKernels, original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<'x' | 'filter' | 'bias' | 'preluActivationWeights', TensorInfo | undefined>
    const a = args.attrs as Conv2DAttrs & { activation?: string }
    const activation = nativeActivations[a.activation ?? 'linear']
    const channels = filter!.shape[3]
    const biasFits = !bias || (bias.shape.length === 1 && bias.shape[0] === channels && bias.dtype === 'float32')
    if (activation === undefined || preluActivationWeights || !biasFits || !isChannelsLast(a)) return original.kernelFunc(args) as TensorInfo
    const out = convolve(native, args.backend, x!, filter!, a)
    const y = f32(args.backend, out)
    native.biasActivation(y, bias ? f32(args.backend, bias) : null, Int32Array.of(y.length / channels, channels, activation))
    return out
  }
  return { kernelName: FusedConv2D, backendName: 'wasm', setupFunc: original.setupFunc, kernelFunc }
}

/** A conv gradient kernel: the forward geometry from `shapes`, dy checked against it, `run` fills the output of `outShape`. */
function convGradient(
  kernelName: string,
  shapes: (inputs: Record<string, TensorInfo>, a: Record<string, Shape4>) => { x: number[]; filter: number[]; out: Shape4; dy: TensorInfo },
  run: (inputs: Record<string, TensorInfo>, out: Float32Array, geometry: Int32Array, backend: unknown) => void
): KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const tensors = inputs as Record<string, TensorInfo>
      const s = shapes(tensors, attrs as Record<string, Shape4>)
      const info = conv2DInfo(kernelName, s.x, s.filter, attrs as Conv2DGradAttrs)
      checkDyShape(kernelName, s.dy.shape, info)
      const out = makeOutput(backend, s.out)
      run(tensors, f32(backend, out), convGeometry(info, s.dy.shape[1], s.dy.shape[2]), backend)
      return out
    }
  }
}

/** A pooling gradient kernel: the geometry from the input and dy; `run` fills dx. */
function poolGradient(kernelName: string, run: (input: TensorInfo, dy: TensorInfo, dx: Float32Array, geometry: Int32Array, backend: unknown) => void): KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo }
      const info = poolInfo(kernelName, input, dy, attrs as PoolGradAttrs)
      const out = makeOutput(backend, input.shape)
      run(input, dy, f32(backend, out), poolGeometry(info), backend)
      return out
    }
  }
}

/**
 * Conv2D, its two gradients and the pooling gradients, computed by the native kernels on the
 * tensors' wasm memory. Used in place of wasm's own (and our JS/XNNPACK compositions) when the
 * native addon is built; bench/conv-kernels.ts and bench/profile-train.ts measure the difference.
 * Conv2D is the forward convolution a layer runs while gradients are recorded.
 */
export function nativeConvKernels(native: NativeKernels): KernelConfig[] {
  return [
    {
      kernelName: Conv2D,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo }
        const a = attrs as Conv2DAttrs
        if (!isChannelsLast(a)) throw new Error(`wasm Conv2D supports dataFormat 'NHWC' only, got '${a.dataFormat}'`)
        return convolve(native, backend, x, filter, a)
      }
    },
    convGradient(
      Conv2DBackpropInput,
      ({ dy, filter }, a) => ({ x: a.inputShape, filter: filter.shape, out: a.inputShape, dy }),
      ({ dy, filter }, out, geometry, backend) => native.conv2dBackpropInput(f32(backend, dy), f32(backend, filter), out, geometry)
    ),
    convGradient(
      Conv2DBackpropFilter,
      ({ x, dy }, a) => ({ x: x.shape, filter: a.filterShape, out: a.filterShape, dy }),
      ({ x, dy }, out, geometry, backend) => native.conv2dBackpropFilter(f32(backend, x), f32(backend, dy), out, geometry)
    ),
    poolGradient(MaxPoolGrad, (input, dy, dx, geometry, backend) => native.maxPoolGrad(f32(backend, input), f32(backend, dy), dx, geometry)),
    poolGradient(AvgPoolGrad, (_, dy, dx, geometry, backend) => native.avgPoolGrad(f32(backend, dy), dx, geometry))
  ]
}

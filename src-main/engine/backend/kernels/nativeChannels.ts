import { Add, Sum, util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs'
import type { NativeKernels } from '../nativeKernels'
import { f32, makeOutput } from './wasmHeap'

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1)

/**
 * Add where one side is a per-channel vector (a layer's bias on an NHWC tensor, which every
 * conv layer does in training) runs natively; tfjs-backend-wasm's broadcasting Add took ~5 ns
 * per element there. Everything else goes to wasm's own kernel.
 */
export function nativeAddConfig(native: NativeKernels, original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo }
    const [x, bias] = b.shape.length === 1 ? [a, b] : [b, a]
    const channels = bias.shape[0]
    const fits = a.dtype === 'float32' && b.dtype === 'float32' && bias.shape.length === 1 && x.shape.length >= 2 && x.shape[x.shape.length - 1] === channels && channels > 0
    if (!fits) return original.kernelFunc(args) as TensorInfo
    const out = makeOutput(args.backend, x.shape)
    native.addChannels(f32(args.backend, x), f32(args.backend, bias), f32(args.backend, out), Int32Array.of(size(x.shape) / channels, channels))
    return out
  }
  return { kernelName: Add, backendName: 'wasm', setupFunc: original.setupFunc, kernelFunc }
}

/**
 * Sum over every axis but the last (a conv layer's bias gradient) runs natively; wasm's own
 * kernel transposes the tensor first. Everything else goes to wasm's own kernel.
 */
export function nativeSumConfig(native: NativeKernels, original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo }
    const { axis, keepDims } = args.attrs as { axis: number | number[] | null; keepDims: boolean }
    const rank = x.shape.length
    const axes = [...new Set(util.parseAxisParam(axis ?? x.shape.map((_, i) => i), x.shape))].sort((p, q) => p - q)
    const leading = rank >= 2 && axes.length === rank - 1 && axes.every((v, i) => v === i)
    if (!leading || x.dtype !== 'float32' || size(x.shape) === 0) return original.kernelFunc(args) as TensorInfo
    const channels = x.shape[rank - 1]
    const out = makeOutput(args.backend, keepDims ? [...x.shape.slice(0, -1).map(() => 1), channels] : [channels])
    native.sumChannels(f32(args.backend, x), f32(args.backend, out), Int32Array.of(size(x.shape) / channels, channels))
    return out
  }
  return { kernelName: Sum, backendName: 'wasm', setupFunc: original.setupFunc, kernelFunc }
}

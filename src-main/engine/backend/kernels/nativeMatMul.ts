import { _FusedMatMul, BatchMatMul, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs'
import { nativeActivations, type NativeKernels } from '../nativeKernels'
import { f32, makeOutput } from './wasmHeap'

const batchOf = (shape: number[]) => shape.slice(0, -2).reduce((x, y) => x * y, 1)

interface Product {
  m: number
  k: number
  n: number
  shape: number[]
}

/** The product's sizes and output shape, or null where the native kernel does not apply (batched products, other dtypes). */
function product(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): Product | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return null
  if (batchOf(a.shape) !== 1 || batchOf(b.shape) !== 1) return null
  const [ar, ac] = a.shape.slice(-2)
  const [br, bc] = b.shape.slice(-2)
  const [m, k] = transposeA ? [ac, ar] : [ar, ac]
  const [k2, n] = transposeB ? [bc, br] : [br, bc]
  if (k !== k2) return null
  const prefix = (a.shape.length >= b.shape.length ? a.shape : b.shape).slice(0, -2)
  return { m, k, n, shape: [...prefix, m, n] }
}

function multiply(native: NativeKernels, backend: unknown, a: TensorInfo, b: TensorInfo, p: Product, transposeA: boolean, transposeB: boolean): TensorInfo {
  const out = makeOutput(backend, p.shape)
  native.matMul(f32(backend, a), f32(backend, b), f32(backend, out), Int32Array.of(p.m, p.k, p.n, transposeA ? 1 : 0, transposeB ? 1 : 0))
  return out
}

/**
 * The dense layers' products (forward, and dx = dy·Wᵀ, dW = xᵀ·dy in backprop) natively.
 * XNNPACK packs the weight matrix on every call, and weights change every step: VGG-11/4's
 * 1024×1024 layer took 36 ms per product that way. Batched products go to `fallback`.
 */
export function nativeBatchMatMulConfig(native: NativeKernels, fallback: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo }
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean }
    const p = product(a, b, transposeA, transposeB)
    return p ? multiply(native, args.backend, a, b, p, transposeA, transposeB) : (fallback.kernelFunc(args) as TensorInfo)
  }
  return { kernelName: BatchMatMul, backendName: 'wasm', setupFunc: fallback.setupFunc, kernelFunc }
}

/** A dense layer's forward pass (product, bias, linear/relu/relu6) natively; anything else goes to wasm's own kernel. */
export function nativeFusedMatMulConfig(native: NativeKernels, original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<'a' | 'b' | 'bias' | 'preluActivationWeights', TensorInfo | undefined>
    const { transposeA, transposeB, activation } = args.attrs as { transposeA: boolean; transposeB: boolean; activation?: string }
    const code = nativeActivations[activation ?? 'linear']
    const p = product(a!, b!, transposeA, transposeB)
    const biasFits = !bias || (bias.dtype === 'float32' && bias.shape.reduce((x, y) => x * y, 1) === p?.n && bias.shape.length === 1)
    if (!p || code === undefined || preluActivationWeights || !biasFits) return original.kernelFunc(args) as TensorInfo
    const out = multiply(native, args.backend, a!, b!, p, transposeA, transposeB)
    const y = f32(args.backend, out)
    if (bias || code !== 0) native.biasActivation(y, bias ? f32(args.backend, bias) : null, Int32Array.of(p.m, p.n, code))
    return out
  }
  return { kernelName: _FusedMatMul, backendName: 'wasm', setupFunc: original.setupFunc, kernelFunc }
}

import type { TensorInfo } from '@tensorflow/tfjs'

/** The parts of tfjs-backend-wasm's BackendWasm that kernels written in JavaScript use. */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: string): TensorInfo
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array
}

/**
 * A float32 view of a tensor's memory on the wasm heap, without copying. Take views only after
 * every makeOutput of the kernel: an allocation can grow the heap, and growing a non-shared
 * WebAssembly.Memory detaches every earlier view.
 */
export function f32(backend: unknown, info: TensorInfo): Float32Array {
  if (info.dtype !== 'float32') throw new Error(`expected a float32 tensor, got ${info.dtype}`)
  return (backend as WasmBackendLike).typedArrayFromHeap(info) as Float32Array
}

export function makeOutput(backend: unknown, shape: number[]): TensorInfo {
  return (backend as WasmBackendLike).makeOutput(shape, 'float32')
}

import { getKernel, type KernelBackend, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs'

/**
 * Runs existing wasm kernels from inside one of our kernels and frees every intermediate
 * result afterwards. Our kernels compose wasm's own (XNNPACK-backed) kernels instead of
 * looping over the data in JavaScript, so the arithmetic stays in wasm.
 *
 * Kernels must not call tf ops: they run inside the engine's kernel dispatch (also during
 * backprop), where ops would be recorded on the tape and scoped as tensors.
 */
export class WasmScratch {
  private readonly temps: TensorInfo[] = []

  constructor(readonly backend: KernelBackend) {}

  run(kernelName: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const kernel = getKernel(kernelName, 'wasm')
    if (!kernel) throw new Error(`Kernel '${kernelName}' is not registered for backend 'wasm'; a custom wasm kernel depends on it`)
    const out = kernel.kernelFunc({ inputs, backend: this.backend, attrs }) as TensorInfo
    this.temps.push(out)
    return out
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm })
  }

  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    return this.run('Slice', { x }, { begin, size })
  }

  pad(x: TensorInfo, paddings: Array<[number, number]>): TensorInfo {
    return this.run('PadV2', { x }, { paddings, constantValue: 0 })
  }

  sum(x: TensorInfo, axis: number[]): TensorInfo {
    return this.run('Sum', { x }, { axis, keepDims: false })
  }

  reverse(x: TensorInfo, dims: number[]): TensorInfo {
    return this.run('Reverse', { x }, { dims })
  }

  /**
   * Reshape of contiguous data is metadata only, so this returns a view sharing the dataId.
   * Views are not tracked: the tensor they look at is.
   */
  view(x: TensorInfo, shape: number[]): TensorInfo {
    return { dataId: x.dataId, shape, dtype: x.dtype }
  }

  /** Marks `out` (or the tensor it views) as the kernel's result, then frees everything else. */
  finish(out: TensorInfo): TensorInfo {
    // Only one reference is handed over: a kernel like Identity may have produced
    // another temp with the same dataId, and that reference must still be released.
    let kept = -1
    for (let i = this.temps.length - 1; i >= 0 && kept < 0; i--) if (this.temps[i].dataId === out.dataId) kept = i
    this.temps.forEach((temp, i) => {
      if (i !== kept) this.backend.disposeData(temp.dataId)
    })
    this.temps.length = 0
    return out
  }

  /** Frees all intermediates after a failure, so a throwing kernel does not leak wasm memory. */
  abandon(): void {
    for (const temp of this.temps) this.backend.disposeData(temp.dataId)
    this.temps.length = 0
  }
}

/** Runs `body` with a scratch, freeing intermediates whether it returns or throws. */
export function withScratch(backend: unknown, body: (scratch: WasmScratch) => TensorInfo): TensorInfo {
  const scratch = new WasmScratch(backend as KernelBackend)
  try {
    return scratch.finish(body(scratch))
  } catch (err) {
    scratch.abandon()
    throw err
  }
}

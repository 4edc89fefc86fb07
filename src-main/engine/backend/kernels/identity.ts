import { Identity, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs'

interface RefCountingBackend {
  incRef(dataId: unknown): void
}

/**
 * Identity without a copy. tfjs-backend-wasm 4.22 copies the tensor's memory, and backprop
 * calls Identity dozens of times per step (about 0.8 ms per LeNet shard). Tensors are
 * immutable, so the result shares the input's memory with one more reference, exactly as
 * wasm's own Reshape (and the cpu backend's Identity) do. Strings keep wasm's own kernel.
 */
export function identityConfig(original: KernelConfig): KernelConfig {
  return {
    kernelName: Identity,
    backendName: 'wasm',
    setupFunc: original.setupFunc,
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: TensorInfo }
      if (x.dtype === 'string') return original.kernelFunc(args)
      ;(args.backend as RefCountingBackend).incRef(x.dataId)
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype }
    }
  }
}

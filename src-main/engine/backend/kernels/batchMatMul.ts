import { BatchMatMul, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs'
import { withScratch } from './wasmScratch'

const batchSize = (shape: number[]) => shape.slice(0, -2).reduce((a, b) => a * b, 1)

/**
 * tfjs-backend-wasm 4.22 sends a BatchMatMul to XNNPACK only without transposes and with a
 * single batch; anything else runs a scalar triple loop. Backpropagation through every dense
 * layer asks for exactly those transposes (dx = dy·Wᵀ, dW = xᵀ·dy), and that loop was the
 * largest cost of training VGG. Transposing the operand explicitly (a linear-time copy) lets
 * the product itself run in XNNPACK. Batched products keep wasm's own kernel.
 */
export function batchMatMulConfig(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo }
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean }
    if ((!transposeA && !transposeB) || batchSize(a.shape) !== 1 || batchSize(b.shape) !== 1) return original.kernelFunc(args)
    return withScratch(args.backend, (scratch) => {
      // Swaps the last two axes; the leading (size-1) batch axes stay where they are.
      const transpose = (x: TensorInfo) => {
        const perm = x.shape.map((_, i) => i)
        perm.splice(-2, 2, x.shape.length - 1, x.shape.length - 2)
        return scratch.transpose(x, perm)
      }
      // Without transposes this lands in wasm's own kernel (through ours), on XNNPACK.
      return scratch.run(BatchMatMul, { a: transposeA ? transpose(a) : a, b: transposeB ? transpose(b) : b }, { transposeA: false, transposeB: false })
    })
  }
  return { kernelName: BatchMatMul, backendName: 'wasm', setupFunc: original.setupFunc, kernelFunc }
}

import { getKernel, registerKernel, type KernelConfig } from '@tensorflow/tfjs'
import { conv2DBackpropFilterConfig } from './kernels/conv2DBackpropFilter'
import { depthwiseConv2dNativeBackpropFilterConfig } from './kernels/depthwiseConv2dNativeBackpropFilter'
import { depthwiseConv2dNativeBackpropInputConfig } from './kernels/depthwiseConv2dNativeBackpropInput'

/**
 * Kernels that training needs and tfjs-backend-wasm 4.22 lacks. Found by training conv,
 * depthwise and separable conv nets on wasm and recording which kernels were not registered.
 */
export const wasmTrainingKernels: KernelConfig[] = [
  conv2DBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig
]

/**
 * Registers our wasm kernels with the tfjs engine. Safe to call more than once; a kernel that
 * is already registered (by an earlier call, or natively by a newer tfjs-backend-wasm) is left
 * alone. Returns the names of the kernels that are ours after the call.
 */
export function registerWasmKernels(): string[] {
  const ours: string[] = []
  for (const config of wasmTrainingKernels) {
    const existing = getKernel(config.kernelName, config.backendName)
    if (!existing) registerKernel(config)
    if (!existing || existing.kernelFunc === config.kernelFunc) ours.push(config.kernelName)
  }
  return ours
}

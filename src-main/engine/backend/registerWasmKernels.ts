import { BatchMatMul, findBackend, getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs'
import { adamUpdateConfig } from './kernels/adamUpdate'
import { batchMatMulConfig } from './kernels/batchMatMul'
import { conv2DBackpropFilterConfig } from './kernels/conv2DBackpropFilter'
import { conv2DBackpropInputConfig } from './kernels/conv2DBackpropInput'
import { depthwiseConv2dNativeBackpropFilterConfig } from './kernels/depthwiseConv2dNativeBackpropFilter'
import { depthwiseConv2dNativeBackpropInputConfig } from './kernels/depthwiseConv2dNativeBackpropInput'
import { avgPoolGradConfig, maxPoolGradConfig } from './kernels/poolGrads'

/**
 * Kernels that training needs and tfjs-backend-wasm 4.22 lacks. Found by training conv,
 * depthwise and separable conv nets on wasm and recording which kernels were not registered.
 * A newer tfjs-backend-wasm that brings its own keeps its own.
 */
export const missingWasmKernels: KernelConfig[] = [
  conv2DBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig
]

/** Kernels of our own that tfjs does not have at all, e.g. the fused optimizer update. */
export const extraWasmKernels: KernelConfig[] = [adamUpdateConfig]

/** Kernels wasm has but runs far slower than ours (measured with bench/profile-train.ts); ours replace them. */
export const replacedWasmKernels: KernelConfig[] = [conv2DBackpropInputConfig, maxPoolGradConfig, avgPoolGradConfig]

function isOurs(config: KernelConfig): boolean {
  return getKernel(config.kernelName, config.backendName)?.kernelFunc === config.kernelFunc
}

/** wasm's own kernels that ours replaced, by name, for comparing against the unoptimised path. */
const originals = new Map<string, KernelConfig>()

/** Ours wraps wasm's own BatchMatMul (it still does the untransposed products), so it is made from it once. */
let batchMatMul: KernelConfig | null = null

function wrapBatchMatMul(): KernelConfig | null {
  if (batchMatMul && isOurs(batchMatMul)) return batchMatMul
  const original = getKernel(BatchMatMul, 'wasm')
  if (!original) return null
  originals.set(BatchMatMul, original)
  batchMatMul = batchMatMulConfig(original)
  unregisterKernel(BatchMatMul, 'wasm')
  registerKernel(batchMatMul)
  return batchMatMul
}

/**
 * Registers our wasm kernels with the tfjs engine. Safe to call more than once. Kernels take
 * effect whether the wasm backend is initialised before or after, since none needs setup.
 * Returns the names of the kernels of ours in use after the call.
 */
export function registerWasmKernels(): string[] {
  for (const config of [...missingWasmKernels, ...extraWasmKernels]) {
    if (!getKernel(config.kernelName, config.backendName)) registerKernel(config)
  }
  for (const config of replacedWasmKernels) {
    if (isOurs(config)) continue
    const original = getKernel(config.kernelName, config.backendName)
    if (original) {
      originals.set(config.kernelName, original)
      unregisterKernel(config.kernelName, config.backendName)
    }
    registerKernel(config)
  }
  const wrapped = wrapBatchMatMul()
  return [...missingWasmKernels, ...extraWasmKernels, ...replacedWasmKernels, ...(wrapped ? [wrapped] : [])].filter(isOurs).map((config) => config.kernelName)
}

/**
 * Puts wasm's own kernels back where ours replaced one (true), or ours again (false). Only for
 * checking that the optimised path trains like the unoptimised one; kernels wasm lacks stay ours.
 */
export function useOriginalWasmKernels(original: boolean): void {
  const backend = findBackend('wasm')
  for (const [name, config] of originals) {
    const ours = name === BatchMatMul ? batchMatMul : replacedWasmKernels.find((k) => k.kernelName === name)
    const wanted = original ? config : ours
    if (!wanted || getKernel(name, 'wasm')?.kernelFunc === wanted.kernelFunc) continue
    unregisterKernel(name, 'wasm')
    registerKernel(wanted)
    // Kernels are set up when the backend starts; one registered later must be set up now.
    if (backend && wanted.setupFunc) wanted.setupFunc(backend)
  }
}

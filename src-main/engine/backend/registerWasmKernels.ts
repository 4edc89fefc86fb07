import { _FusedMatMul, Add, BatchMatMul, findBackend, FusedConv2D, Identity, Sum, getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs'
import { adamUpdateConfig } from './kernels/adamUpdate'
import { batchMatMulConfig } from './kernels/batchMatMul'
import { conv2DBackpropFilterConfig } from './kernels/conv2DBackpropFilter'
import { conv2DBackpropInputConfig } from './kernels/conv2DBackpropInput'
import { depthwiseConv2dNativeBackpropFilterConfig } from './kernels/depthwiseConv2dNativeBackpropFilter'
import { depthwiseConv2dNativeBackpropInputConfig } from './kernels/depthwiseConv2dNativeBackpropInput'
import { identityConfig } from './kernels/identity'
import { nativeAddConfig, nativeSumConfig } from './kernels/nativeChannels'
import { nativeConvKernels, nativeFusedConv2DConfig } from './kernels/nativeConv'
import { nativeBatchMatMulConfig, nativeFusedMatMulConfig } from './kernels/nativeMatMul'
import { avgPoolGradConfig, maxPoolGradConfig } from './kernels/poolGrads'
import { nativeKernels } from './nativeKernels'

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

/** The native kernels (Conv2D, its gradients, the pooling gradients) where the addon is built; they take precedence. */
let nativeConfigs: KernelConfig[] | null = null
function nativeKernelConfigs(): KernelConfig[] {
  if (!nativeConfigs) {
    const native = nativeKernels().kernels
    nativeConfigs = native ? nativeConvKernels(native) : []
  }
  return nativeConfigs
}

/** wasm's own kernels that ours replaced, by name, for comparing against the unoptimised path. */
const originals = new Map<string, KernelConfig>()
/** The kernel of ours registered for each name. */
const active = new Map<string, KernelConfig>()

/**
 * Kernels of ours that wrap wasm's own (which still does the cases ours does not), so each is
 * made from it once: BatchMatMul (the untransposed products), Identity (strings) and, where the
 * native addon is built, Add, Sum, FusedConv2D and _FusedMatMul (the cases the native kernels do
 * not cover). Where the addon is built, BatchMatMul is native first, then ours, then wasm's.
 */
const wrappers = new Map<string, KernelConfig>()
/** The wrappers that run natively where the addon is built. */
const nativeWrappers = [BatchMatMul, Add, Sum, FusedConv2D, _FusedMatMul]

const isOurs = (config: KernelConfig): boolean => getKernel(config.kernelName, config.backendName)?.kernelFunc === config.kernelFunc
const ourFunctions = (): Set<unknown> =>
  new Set([...missingWasmKernels, ...extraWasmKernels, ...replacedWasmKernels, ...nativeKernelConfigs(), ...wrappers.values()].map((c) => c.kernelFunc))

/** Registers `config` in place of whatever is there, remembering wasm's own kernel. */
function replace(config: KernelConfig): void {
  active.set(config.kernelName, config)
  if (isOurs(config)) return
  const current = getKernel(config.kernelName, config.backendName)
  if (current) {
    if (!ourFunctions().has(current.kernelFunc)) originals.set(config.kernelName, current)
    unregisterKernel(config.kernelName, config.backendName)
  }
  registerKernel(config)
}

function wrapOriginal(name: string, make: (original: KernelConfig) => KernelConfig): void {
  const existing = wrappers.get(name)
  if (existing && isOurs(existing)) return
  const original = existing ? originals.get(name) : getKernel(name, 'wasm')
  if (!original) return
  const config = existing ?? make(original)
  wrappers.set(name, config)
  replace(config)
}

/**
 * Registers our wasm kernels with the tfjs engine. Safe to call more than once. Kernels take
 * effect whether the wasm backend is initialised before or after, since none needs setup.
 * Returns the names of the kernels of ours in use after the call.
 */
export function registerWasmKernels(): string[] {
  const addon = nativeKernels().kernels
  const native = new Set(nativeKernelConfigs().map((c) => c.kernelName))
  for (const config of [...missingWasmKernels, ...extraWasmKernels]) {
    if (native.has(config.kernelName)) continue
    if (!getKernel(config.kernelName, config.backendName)) registerKernel(config)
    if (isOurs(config)) active.set(config.kernelName, config)
  }
  for (const config of replacedWasmKernels) if (!native.has(config.kernelName)) replace(config)
  for (const config of nativeKernelConfigs()) replace(config)
  wrapOriginal(BatchMatMul, (original) => (addon ? nativeBatchMatMulConfig(addon, batchMatMulConfig(original)) : batchMatMulConfig(original)))
  wrapOriginal(Identity, identityConfig)
  if (addon) {
    wrapOriginal(Add, (original) => nativeAddConfig(addon, original))
    wrapOriginal(Sum, (original) => nativeSumConfig(addon, original))
    wrapOriginal(FusedConv2D, (original) => nativeFusedConv2DConfig(addon, original))
    wrapOriginal(_FusedMatMul, (original) => nativeFusedMatMulConfig(addon, original))
  }
  return [...active.values()].filter(isOurs).map((config) => config.kernelName)
}

/** The names of our kernels that run natively (empty when the addon is not built). */
export function nativeKernelNames(): string[] {
  const wrapped = nativeKernels().kernels ? nativeWrappers.filter((name) => wrappers.has(name)) : []
  return [...nativeKernelConfigs().map((c) => c.kernelName), ...wrapped]
}

/**
 * Puts back the unoptimised path (true): wasm's own kernel wherever ours replaced one, and our
 * JS/XNNPACK kernel where wasm has none but ours is native. Or ours again (false). Only for
 * checking that the optimised path trains like the unoptimised one.
 */
export function useOriginalWasmKernels(original: boolean): void {
  const backend = findBackend('wasm')
  const plain = new Map(missingWasmKernels.map((c) => [c.kernelName, c]))
  for (const [name, ours] of active) {
    const wanted = original ? (originals.get(name) ?? plain.get(name)) : ours
    if (!wanted || getKernel(name, 'wasm')?.kernelFunc === wanted.kernelFunc) continue
    unregisterKernel(name, 'wasm')
    registerKernel(wanted)
    // Kernels are set up when the backend starts; one registered later must be set up now.
    if (backend && wanted.setupFunc) wanted.setupFunc(backend)
  }
}

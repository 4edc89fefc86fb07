import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

/** Set to 0 to train without the native kernels (e.g. to compare against the wasm-only path). */
export const nativeKernelsEnvVar = 'FEATURELENS_NATIVE_KERNELS'

/**
 * The C++ kernels in native/ (built by `npm install` with node-gyp, for the CPU it runs on).
 * They run on tensors in the wasm heap, so the wasm backend stays the backend; each checks its
 * arguments' lengths against the geometry and throws a TypeError rather than touch memory
 * outside them.
 */
export interface NativeKernels {
  /** geometry: n, h, w, ci, kh, kw, co, oh, ow, strideH, strideW, dilationH, dilationW, padTop, padLeft */
  conv2dForward(x: Float32Array, filter: Float32Array, y: Float32Array, geometry: Int32Array): void
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, geometry: Int32Array): void
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dfilter: Float32Array, geometry: Int32Array): void
  /** geometry: n, h, w, c, oh, ow, filterH, filterW, strideH, strideW, padTop, padLeft */
  maxPoolGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, geometry: Int32Array): void
  /** geometry as maxPoolGrad's */
  avgPoolGrad(dy: Float32Array, dx: Float32Array, geometry: Int32Array): void
  /** One Adam step; constants: β₁, β₂, 1−β₁, 1−β₂, 1−β₁ᵗ, 1−β₂ᵗ, ε, −lr (float32 values) */
  adamUpdate(constants: Float64Array, w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, w1: Float32Array, m1: Float32Array, v1: Float32Array): void
  /** c = op(a)·op(b); geometry: m, k, n, transposeA (0/1), transposeB (0/1) */
  matMul(a: Float32Array, b: Float32Array, c: Float32Array, geometry: Int32Array): void
  /** In place: y[r][c] = activation(y[r][c] + bias[c]); geometry: rows, channels, activation (0 linear, 1 relu, 2 relu6) */
  biasActivation(y: Float32Array, bias: Float32Array | null, geometry: Int32Array): void
  /** out[r][c] = x[r][c] + bias[c]; geometry: rows, channels */
  addChannels(x: Float32Array, bias: Float32Array, out: Float32Array, geometry: Int32Array): void
  /** out[c] = Σ_r x[r][c]; geometry: rows, channels */
  sumChannels(x: Float32Array, out: Float32Array, geometry: Int32Array): void
}

/** The activations the native kernels apply after a product, by tfjs name, as their codes. */
export const nativeActivations: Record<string, number> = { linear: 0, relu: 1, relu6: 2 }

export const nativeAddonPath = fileURLToPath(new URL('../../../native/build/Release/featurelens_kernels.node', import.meta.url))

let loaded: { kernels: NativeKernels; reason: null } | { kernels: null; reason: string } | null = null

/** The native kernels, or why they are not used. Loaded once per thread. */
export function nativeKernels(env: NodeJS.ProcessEnv = process.env): { kernels: NativeKernels; reason: null } | { kernels: null; reason: string } {
  if (env[nativeKernelsEnvVar] === '0') return { kernels: null, reason: `${nativeKernelsEnvVar}=0` }
  if (loaded) return loaded
  if (!existsSync(nativeAddonPath)) {
    loaded = { kernels: null, reason: `not built (${nativeAddonPath} is missing; \`npm rebuild featurelens\` or \`node scripts/build-native.mjs\` builds it, which needs g++ and make)` }
  } else {
    try {
      const addon = createRequire(import.meta.url)(nativeAddonPath) as NativeKernels & { cpuSupported: boolean }
      loaded = addon.cpuSupported
        ? { kernels: addon, reason: null }
        : { kernels: null, reason: 'built for AVX2 and FMA, which this CPU lacks' }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      loaded = { kernels: null, reason: `could not be loaded: ${message.split('\n')[0]}` }
    }
  }
  return loaded
}

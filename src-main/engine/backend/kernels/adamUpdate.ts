import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs'
import { nativeKernels } from '../nativeKernels'
import { f32, makeOutput } from './wasmHeap'

/** Our kernel's name: one Adam step for one variable. */
export const AdamUpdate = 'FeaturelensAdamUpdate'

export type AdamUpdateAttrs = {
  learningRate: number
  beta1: number
  beta2: number
  epsilon: number
  /** 1 − β₁ᵗ and 1 − β₂ᵗ, the bias corrections of this step. */
  oneMinusAccBeta1: number
  oneMinusAccBeta2: number
}

/**
 * One Adam step for one variable in one pass over its memory, returning the new value and
 * moments. tfjs's AdamOptimizer spends about fifteen kernels (and as many intermediate tensors)
 * per variable on the same arithmetic:
 *   m' = m·β₁ + g·(1−β₁);  v' = v·β₂ + g²·(1−β₂)
 *   w' = (m'/(1−β₁ᵗ)) / (√(v'/(1−β₂ᵗ)) + ε) · (−lr) + w
 * The arithmetic is done in double precision and stored as float32, so results differ from
 * tfjs's float32 ops by rounding only (a few ulp); rounding every step to float32 as tfjs
 * does made the loop three times slower. Where the native kernels are built the same loop runs
 * there (native/src/adam.cc), with equal results.
 */
export const adamUpdateConfig: KernelConfig = {
  kernelName: AdamUpdate,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { value, gradient, m, v } = inputs as Record<'value' | 'gradient' | 'm' | 'v', TensorInfo>
    const a = attrs as AdamUpdateAttrs
    const n = value.shape.reduce((x, y) => x * y, 1)
    for (const [name, t] of Object.entries({ gradient, m, v })) {
      if (t.shape.reduce((x, y) => x * y, 1) !== n) throw new Error(`wasm ${AdamUpdate}: ${name} has shape [${t.shape}] but the variable is [${value.shape}]`)
    }
    const outs = [makeOutput(backend, value.shape), makeOutput(backend, value.shape), makeOutput(backend, value.shape)]
    const [w, g, m0, v0] = [value, gradient, m, v].map((t) => f32(backend, t))
    const [w1, m1, v1] = outs.map((t) => f32(backend, t))
    // tfjs feeds its ops float32 scalars, so the constants are rounded the same way.
    const f = Math.fround
    const b1 = f(a.beta1)
    const b2 = f(a.beta2)
    const c1 = f(1 - a.beta1)
    const c2 = f(1 - a.beta2)
    const k1 = f(a.oneMinusAccBeta1)
    const k2 = f(a.oneMinusAccBeta2)
    const eps = f(a.epsilon)
    const step = f(-a.learningRate)
    const native = nativeKernels().kernels
    if (native) {
      native.adamUpdate(Float64Array.of(b1, b2, c1, c2, k1, k2, eps, step), w, g, m0, v0, w1, m1, v1)
      return outs
    }
    for (let i = 0; i < n; i++) {
      const gi = g[i]
      const mi = f(m0[i] * b1 + gi * c1)
      const vi = f(v0[i] * b2 + gi * gi * c2)
      m1[i] = mi
      v1[i] = vi
      w1[i] = (mi / k1 / (Math.sqrt(vi / k2) + eps)) * step + w[i]
    }
    return outs
  }
}

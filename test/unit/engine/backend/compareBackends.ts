import * as tf from '@tensorflow/tfjs'

/** Deterministic values in [-1, 1), so a failing case can be rerun exactly. */
export function seeded(size: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1
  const out = new Float32Array(size)
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    out[i] = state / 2 ** 31 - 1
  }
  return out
}

export const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1)

/** Runs `compute` on a backend and returns the values of the tensors it returns. */
export async function valuesOn(backend: 'cpu' | 'wasm', compute: () => tf.Tensor[]): Promise<Float32Array[]> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not load`)
  const tensors = tf.tidy(compute)
  const values = tensors.map((t) => t.dataSync() as Float32Array)
  tf.dispose(tensors)
  return values
}

/** max |a − b| / max |b|: the error relative to the reference's scale. */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Infinity
  let diff = 0
  let scale = 0
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]))
    scale = Math.max(scale, Math.abs(expected[i]))
  }
  return scale === 0 ? diff : diff / scale
}

/** Number of tensors the wasm backend holds, to catch kernels that leak intermediates. */
export function wasmDataIds(): number {
  return tf.findBackend('wasm')!.numDataIds()
}

import * as tf from '@tensorflow/tfjs'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { expect } from 'vitest'
import { readNpy } from '../../src-main/engine/data/npy'

/** The committed model fixtures and their reference outputs (test/fixtures/models). */
export const modelFixtures = resolve(__dirname, '..', 'fixtures', 'models')

export interface Reference {
  /** N×H×W×C, ready for a tfjs model. */
  inputs: tf.Tensor4D
  logits: { shape: number[]; data: Float32Array }
  /** As the reference framework computed it: N×C×H×W. */
  activation: { shape: number[]; data: Float32Array }
  meta: { input: number[]; activationTensor: string; activationModule: string }
}

/** NCHW reference tensors (PyTorch's layout) with the inputs moved to NHWC. */
export async function reference(name: string, dir = modelFixtures): Promise<Reference> {
  const load = async (part: string) => {
    const a = await readNpy(join(dir, `${name}.${part}.npy`))
    return { shape: a.shape, data: Float32Array.from(a.data) }
  }
  const inputs = await load('inputs')
  return {
    inputs: tf.tidy(() => tf.tensor4d(inputs.data, inputs.shape as [number, number, number, number]).transpose([0, 2, 3, 1])),
    logits: await load('logits'),
    activation: await load('activation'),
    meta: JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as Reference['meta']
  }
}

/** max |a - b| / max |b|: below ~1e-4 is agreement within float32 rounding of different summation orders. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length)
  let diff = 0
  let scale = 0
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]))
    scale = Math.max(scale, Math.abs(expected[i]))
  }
  return diff / scale
}

/** An NHWC activation in NCHW order, to compare with PyTorch's. */
export function toNchw(t: tf.Tensor): Float32Array {
  return tf.tidy(() => (t.rank === 4 ? t.transpose([0, 3, 1, 2]) : t).dataSync() as Float32Array)
}

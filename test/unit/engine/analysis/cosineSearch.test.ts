import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { CosineIndex, topK } from '../../../../src-main/engine/analysis/earlyExit/cosineSearch'
import { cosineDistance } from '../../../../src-main/engine/analysis/core/descriptors'
import { initBackend } from '../../../../src-main/engine/backend/select'

function random(seed: number): () => number {
  let s = seed >>> 0
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32)
}

beforeAll(async () => {
  await initBackend()
})

describe('cosine search as one matrix product', () => {
  it('finds the same neighbours, in the same order, as a brute-force loop on random vectors', () => {
    const rnd = random(11)
    const n = 700
    const dim = 24
    const m = 9
    const k = 7
    // Non-negative like real descriptors (μ, σ of |F|), plus one zero row that must sit at distance 1.
    const refs = Float32Array.from({ length: n * dim }, (_, i) => (Math.floor(i / dim) === 5 ? 0 : rnd() * (1 + (i % 3))))
    const queries = Float32Array.from({ length: m * dim }, () => rnd())
    const index = new CosineIndex(refs, dim)
    const found = index.search(queries, k)
    index.dispose()
    for (let q = 0; q < m; q++) {
      const u = queries.subarray(q * dim, (q + 1) * dim)
      const brute = Array.from({ length: n }, (_, i) => ({ i, d: cosineDistance(u, refs.subarray(i * dim, (i + 1) * dim)) })).sort((a, b) => a.d - b.d || a.i - b.i)
      expect(Array.from(found.indices.subarray(q * k, (q + 1) * k))).toEqual(brute.slice(0, k).map((b) => b.i))
      brute.slice(0, k).forEach((b, j) => expect(found.distances[q * k + j]).toBeCloseTo(b.d, 5))
    }
    expect(tf.memory().numTensors).toBeLessThan(50)
  })

  it('top-k keeps the k largest without a full sort, ties to the lower index', () => {
    const row = Float32Array.from([0.2, 0.9, 0.5, 0.9, -1, 0.7])
    expect(Array.from(topK(row, 3))).toEqual([1, 3, 5])
    expect(Array.from(topK(row, 10))).toEqual([1, 3, 5, 2, 0, 4])
  })
})

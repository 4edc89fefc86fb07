import { beforeAll, describe, expect, it } from 'vitest'
import { DescriptorTable } from '../../../../src-main/engine/analysis/core/descriptors'
import type { LayerDescriptors } from '../../../../src-main/engine/store/descriptorStore'
import { strategyOf } from '../../../../src-main/engine/analysis/earlyExit/strategies'
import { initBackend } from '../../../../src-main/engine/backend/select'

function random(seed: number): () => number {
  let s = seed >>> 0
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32)
}

/** Three classes of 6-long descriptors around different directions, with noise. */
function layerOf(n: number, seed: number): LayerDescriptors {
  const rnd = random(seed)
  const dim = 6
  const labels = Int32Array.from({ length: n }, (_, i) => i % 3)
  const vectors = Float32Array.from({ length: n * dim }, (_, j) => {
    const [i, d] = [Math.floor(j / dim), j % dim]
    return (d % 3 === labels[i] ? 2 : 0.3) + rnd() * 0.6
  })
  return { layer: 'conv', dim, images: Int32Array.from(labels.keys()), labels, vectors }
}

const options = { k: 3, confidenceMeasure: 'probability' as const, seed: 1 }

beforeAll(async () => {
  await initBackend()
})

describe('early-exit strategies', () => {
  it('centroid: exits exactly where the reference table (running mean distance × factor) says so', async () => {
    const train = layerOf(90, 3)
    const queries = layerOf(30, 9)
    const table = new DescriptorTable()
    for (let i = 0; i < train.labels.length; i++) table.add('conv', train.labels[i], train.vectors.subarray(i * 6, (i + 1) * 6))
    const strategy = strategyOf('centroid', options)
    const matcher = await strategy.build(train, 3)
    const m = matcher.match(queries.vectors, 30, false)
    for (const factor of [0.5, 1, 1.5, 3]) {
      for (let q = 0; q < 30; q++) {
        const ref = table.decide('conv', queries.vectors.subarray(q * 6, (q + 1) * 6), factor)
        expect(m.labels[q]).toBe(ref.label)
        expect(m.distances[q]).toBeCloseTo(ref.distance!, 6)
        expect(strategy.exits(m.scores[q], factor)).toBe(ref.exit)
      }
    }
  })

  it('knn: the majority label of the nearest neighbours; every score passes the "always" threshold and none the "never" one', async () => {
    const train = layerOf(90, 4)
    const strategy = strategyOf('knn', options)
    const matcher = await strategy.build(train, 3)
    const queries = layerOf(30, 10)
    const m = matcher.match(queries.vectors, 30, false)
    expect(m.labels.filter((l, q) => l === queries.labels[q]).length).toBeGreaterThanOrEqual(28)
    for (const s of m.scores) {
      expect(strategy.exits(s, strategy.always)).toBe(true)
      expect(strategy.exits(s, strategy.never)).toBe(false)
    }
    matcher.dispose()
  })

  it('confidence: a softmax head learns separable classes and is sure of them; entropy falls as probability rises', async () => {
    const train = layerOf(150, 5)
    const queries = layerOf(30, 11)
    const byProbability = await strategyOf('confidence', options).build(train, 3)
    const byEntropy = await strategyOf('confidence', { ...options, confidenceMeasure: 'entropy' }).build(train, 3)
    const p = byProbability.match(queries.vectors, 30, false)
    const h = byEntropy.match(queries.vectors, 30, true)
    expect(p.labels.filter((l, q) => l === queries.labels[q]).length).toBeGreaterThanOrEqual(28)
    expect(Math.min(...p.scores)).toBeGreaterThan(0.6)
    expect(Number.isNaN(p.distances[0])).toBe(true)
    expect(h.distances.every(Number.isFinite)).toBe(true)
    const order = [...p.scores.keys()].sort((a, b) => p.scores[a] - p.scores[b])
    expect(h.scores[order[0]]).toBeGreaterThan(h.scores[order.at(-1)!])
  })

  it('names an unknown strategy and a bad k', () => {
    expect(() => strategyOf('nearest' as 'knn', options)).toThrow(/strategy must be one of knn, centroid, confidence; got "nearest"/)
    expect(() => strategyOf('knn', { ...options, k: 0 })).toThrow(/k must be a whole number ≥ 1, got 0/)
  })
})

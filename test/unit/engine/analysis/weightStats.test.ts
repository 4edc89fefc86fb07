import { describe, expect, it } from 'vitest'
import { ApiError } from '../../../../src-shared/errors'
import { WeightHistory, histogram, sharedBinEdges, weightChangeNorm } from '../../../../src-main/engine/analysis/weights/weightStats'
import { gaussian, rng } from './randomMatrices'

/** Ten epochs of a drifting 5000-weight layer with a large common offset, as float32. */
function epochs(count = 10, size = 5000): Float32Array[] {
  const g = gaussian(rng(3))
  const base = Float32Array.from({ length: size }, () => 100 + g())
  return Array.from({ length: count }, (_, e) => Float32Array.from(base, (w, i) => w + 0.01 * e * Math.sin(i) + 0.05 * g()))
}

/** Two-pass mean and variance per weight, the textbook reference. */
function twoPass(all: Float32Array[], ddof: number): { mean: Float64Array; variance: Float64Array } {
  const n = all.length
  const size = all[0].length
  const mean = new Float64Array(size)
  for (const e of all) for (let i = 0; i < size; i++) mean[i] += e[i] / n
  const variance = new Float64Array(size)
  for (const e of all) for (let i = 0; i < size; i++) variance[i] += (e[i] - mean[i]) ** 2 / (n - ddof)
  return { mean, variance }
}

describe('WeightHistory', () => {
  const all = epochs()

  it('matches the two-pass mean and variance (Welford, float64 accumulators)', () => {
    const h = new WeightHistory(all[0].length)
    all.forEach((w, e) => h.add(e + 1, w))
    expect(h.count).toBe(10)
    const mean = h.meanMap()
    const pop = h.varianceMap()
    const sample = h.varianceMap(1)
    const ref0 = twoPass(all, 0)
    const ref1 = twoPass(all, 1)
    for (let i = 0; i < mean.length; i++) {
      expect(mean[i]).toBeCloseTo(ref0.mean[i], 4)
      // Relative: variances are ~1e-3 on weights of ~100, where naive Σx² − n·mean² would fail.
      expect(Math.abs(pop[i] - ref0.variance[i]) / ref0.variance[i]).toBeLessThan(1e-5)
      expect(Math.abs(sample[i] - ref1.variance[i]) / ref1.variance[i]).toBeLessThan(1e-5)
    }
  })

  it('summarises each epoch with the change norm from the previous one', () => {
    const h = new WeightHistory(all[0].length)
    const s1 = h.add(1, all[0])
    expect(s1.changeNorm).toBeNull()
    expect(s1.relativeChange).toBeNull()
    const s2 = h.add(2, all[1])
    expect(s2.changeNorm).toBeCloseTo(weightChangeNorm(all[1], all[0]), 6)
    expect(s2.relativeChange).toBeCloseTo(weightChangeNorm(all[1], all[0]) / s1.norm, 12)
    const values = Array.from(all[1])
    expect(s2.min).toBe(Math.min(...values))
    expect(s2.max).toBe(Math.max(...values))
    expect(s2.norm).toBeCloseTo(Math.sqrt(values.reduce((s, v) => s + v * v, 0)), 6)
    const mean = values.reduce((s, v) => s + v, 0) / values.length
    expect(s2.mean).toBeCloseTo(mean, 8)
    expect(s2.std).toBeCloseTo(Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length), 4)
    expect(h.summaries.map((s) => s.epoch)).toEqual([1, 2])
  })

  it('computes a change norm by hand', () => {
    expect(weightChangeNorm(Float32Array.from([1, 2, 3]), Float32Array.from([1, 0, 7]))).toBeCloseTo(Math.sqrt(20), 12)
    expect(() => weightChangeNorm(new Float32Array(2), new Float32Array(3))).toThrowError(ApiError)
  })

  it('rejects wrong sizes and non-finite weights without corrupting the history', () => {
    const h = new WeightHistory(3)
    h.add(1, Float32Array.from([1, 2, 3]))
    expect(() => h.add(2, new Float32Array(4))).toThrowError(/epoch 2 has 4 weights but earlier epochs of this layer have 3/)
    expect(() => h.add(2, Float32Array.from([1, NaN, 3]))).toThrowError(/epoch 2 has a non-finite weight \(NaN\) at index 1/)
    h.add(3, Float32Array.from([3, 2, 1]))
    expect(Array.from(h.meanMap())).toEqual([2, 2, 2])
    expect(Array.from(h.varianceMap())).toEqual([1, 0, 1])
    expect(() => new WeightHistory(2).meanMap()).toThrowError(/at least 1 epoch/)
    const one = new WeightHistory(1)
    one.add(1, Float32Array.from([5]))
    expect(() => one.varianceMap(1)).toThrowError(/at least 2 epoch/)
  })
})

describe('histograms on shared bins', () => {
  it('shares edges across epochs and counts every weight once', () => {
    const all = epochs(4, 2000)
    const h = new WeightHistory(2000)
    all.forEach((w, e) => h.add(e, w))
    const edges = sharedBinEdges(h.summaries, 30)
    expect(edges.length).toBe(31)
    expect(edges[0]).toBe(Math.min(...h.summaries.map((s) => s.min)))
    expect(edges[30]).toBe(Math.max(...h.summaries.map((s) => s.max)))
    for (const w of all) {
      const { counts, outside } = histogram(w, edges)
      expect(outside).toBe(0)
      expect(counts.reduce((a, b) => a + b, 0)).toBe(2000)
      // Each count agrees with a direct edge comparison (numpy semantics: [a, b), last bin [a, b]).
      for (let b = 0; b < 30; b++) {
        const direct = Array.from(w).filter((v) => v >= edges[b] && (b === 29 ? v <= edges[b + 1] : v < edges[b + 1])).length
        expect(counts[b]).toBe(direct)
      }
    }
  })

  it('matches a hand count and reports values outside the edges', () => {
    const edges = Float64Array.from([0, 1, 2, 3])
    const r = histogram(Float32Array.from([0, 0.5, 1, 2.99, 3, -0.1, 3.1]), edges)
    expect(Array.from(r.counts)).toEqual([2, 1, 2])
    expect(r.outside).toBe(2)
  })

  it('gives a constant layer a visible bin', () => {
    const edges = sharedBinEdges([{ min: 0, max: 0 }], 4)
    expect(edges[0]).toBeLessThan(0)
    expect(edges[4]).toBeGreaterThan(0)
    expect(Array.from(histogram(new Float32Array(5), edges).counts).reduce((a, b) => a + b, 0)).toBe(5)
    expect(() => sharedBinEdges([], 4)).toThrowError(ApiError)
  })
})

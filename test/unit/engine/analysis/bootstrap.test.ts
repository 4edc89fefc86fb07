import { describe, expect, it } from 'vitest'
import { bootstrap, bootstrapMean, mulberry32, percentileInterval, ratioAt, resamples, signFlipTest } from '../../../../src-main/engine/analysis/core/bootstrap'

describe('percentile bootstrap', () => {
  it('takes the 2.5th and 97.5th percentiles with linear interpolation', () => {
    // 20 values 1..20: position (20 − 1) × 0.025 = 0.475 → 1.475; (20 − 1) × 0.975 = 18.525 → 19.525.
    const r = percentileInterval(Array.from({ length: 20 }, (_, i) => 20 - i))
    expect(r.low).toBeCloseTo(1.475, 12)
    expect(r.high).toBeCloseTo(19.525, 12)
    expect(percentileInterval([NaN, 3, NaN, 1], 0.5)).toEqual({ low: 1.5, high: 2.5 })
  })

  it('matches a hand computation on five resamples of three values (seed 1)', () => {
    const draws = resamples(3, 5, 1).map((r) => Array.from(r))
    expect(draws).toEqual([[1, 0, 1], [2, 2, 0], [1, 2, 1], [2, 1, 1], [0, 1, 0]])
    // Data 10, 20, 40: the resample means are 50/3, 30, 80/3, 80/3, 40/3; sorted
    // 13.33, 16.67, 26.67, 26.67, 30. Low at position 0.1: 13.33 + 0.1 × 3.33 = 13.67;
    // high at position 3.9: 26.67 + 0.9 × 3.33 = 29.67.
    const e = bootstrapMean([10, 20, 40], { replicates: 5, seed: 1 })
    expect(e.value).toBeCloseTo(70 / 3, 12)
    expect(e.low).toBeCloseTo(40 / 3 + 1 / 3, 10)
    expect(e.high).toBeCloseTo(80 / 3 + 3, 10)
  })

  it('gives the interval a hand count of the resample distribution predicts', () => {
    // Mean of 0, 0, 0, 4: a resample's mean is the number of 4s it holds (Binomial(4, 1/4)).
    // P(no 4) = 0.32 > 2.5 %, so the low end is 0; P(four 4s) = 0.4 % < 2.5 % < P(three or
    // more) = 5.1 %, so the high end is 3.
    const e = bootstrapMean([0, 0, 0, 4], { replicates: 4000, seed: 3 })
    expect(e).toEqual({ value: 1, low: 0, high: 3 })
  })

  it('pairs two statistics by drawing the same resamples for the same n and seed', () => {
    const a = [1, 2, 3, 4, 5, 6]
    const b = a.map((v) => v + 10)
    const ea = bootstrapMean(a, { seed: 9 })
    const eb = bootstrapMean(b, { seed: 9 })
    expect(eb.low - ea.low).toBeCloseTo(10, 10)
    expect(eb.high - ea.high).toBeCloseTo(10, 10)
    // A paired difference that is the same on every image has a zero-width interval.
    const d = bootstrap(a.length, (idx) => ratioAt(b, [1, 1, 1, 1, 1, 1], idx) - ratioAt(a, [1, 1, 1, 1, 1, 1], idx), { seed: 9 })
    expect(d.low).toBeCloseTo(10, 10)
    expect(d.high).toBeCloseTo(10, 10)
  })

  it('leaves out resamples where the statistic is undefined', () => {
    const e = bootstrap(3, (idx) => ratioAt([1, 1, 1], [0, 0, 2], idx), { seed: 2, replicates: 500 })
    expect(e.value).toBeCloseTo(1.5, 12)
    expect(Number.isFinite(e.low) && Number.isFinite(e.high)).toBe(true)
  })

  it('covers the true mean at about the nominal 95 % rate (200 simulated samples)', () => {
    const random = mulberry32(42)
    const normal = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
    let covered = 0
    for (let s = 0; s < 200; s++) {
      const sample = Array.from({ length: 40 }, () => 5 + normal())
      const e = bootstrapMean(sample, { replicates: 400, seed: s })
      if (e.low <= 5 && 5 <= e.high) covered++
    }
    expect(covered / 200).toBeGreaterThanOrEqual(0.88)
    expect(covered / 200).toBeLessThanOrEqual(0.99)
  })
})

describe('sign-flip test of paired differences', () => {
  it('matches the exact count of sign patterns', () => {
    // ±1 ±2 ±3 takes the sums 6, 4, 2, 0, 0, −2, −4, −6: two of eight reach |6|.
    expect(signFlipTest([1, 2, 3])).toBeCloseTo(2 / 8, 12)
    // Five equal differences: only all-plus and all-minus reach |5|, 2 of 32.
    expect(signFlipTest([1, 1, 1, 1, 1])).toBeCloseTo(2 / 32, 12)
    // ±1 ±1: sums 2, 0, 0, −2; an observed 0 is reached by all four.
    expect(signFlipTest([1, -1])).toBe(1)
    expect(signFlipTest([])).toBe(1)
  })

  it('samples sign patterns past 16 pairs and finds a consistent shift', () => {
    const shifted = Array.from({ length: 40 }, (_, i) => 1 + 0.1 * Math.sin(i))
    expect(signFlipTest(shifted, { seed: 1 })).toBeLessThan(0.001)
    const centred = Array.from({ length: 40 }, (_, i) => (i % 2 ? 1 : -1) * (1 + i / 40))
    expect(signFlipTest(centred, { seed: 1 })).toBeGreaterThan(0.3)
  })
})

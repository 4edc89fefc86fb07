/**
 * Uncertainty for the numbers Featurelens reports: percentile bootstrap intervals over the
 * examples (images), paired by reusing the same resamples for two runs' statistics, and a
 * sign-flip permutation test of paired differences. Every draw comes from a seeded generator,
 * so the same data and seed give the same interval.
 */

/** mulberry32: a small, fast 32-bit generator of uniform numbers in [0, 1), repeatable from its seed. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A value with its confidence interval (low, high); level 0.95 unless stated. */
export interface Estimate {
  value: number
  low: number
  high: number
}

export interface BootstrapOptions {
  /** Resamples drawn (default 2000). */
  replicates?: number
  seed?: number
  /** Coverage of the interval (default 0.95). */
  level?: number
}

/** The q-quantile (0..1) of ascending values, interpolating linearly between order statistics (R's type 7). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length
  if (n === 0) return NaN
  const h = (n - 1) * q
  const lo = Math.floor(h)
  const hi = Math.min(n - 1, lo + 1)
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo])
}

/** The central `level` interval of a set of replicate values (NaNs left out): the percentile method. */
export function percentileInterval(values: ArrayLike<number>, level = 0.95): { low: number; high: number } {
  const finite = Float64Array.from(Array.from(values).filter((v) => !Number.isNaN(v))).sort()
  const tail = (1 - level) / 2
  return { low: quantileSorted(finite, tail), high: quantileSorted(finite, 1 - tail) }
}

/**
 * Resamples of n examples with replacement: `replicates` arrays of n indices. The same n, count
 * and seed give the same resamples, which is what pairs two statistics of the same examples.
 */
export function resamples(n: number, replicates: number, seed: number): Uint32Array[] {
  const random = mulberry32(seed)
  return Array.from({ length: replicates }, () => Uint32Array.from({ length: n }, () => Math.floor(random() * n)))
}

/**
 * Percentile bootstrap of `statistic` over n examples: the statistic on all of them, and the
 * central interval of its values on resamples. A statistic may return NaN for a resample where
 * it is undefined; those resamples are left out.
 */
export function bootstrap(n: number, statistic: (indices: Uint32Array) => number, options: BootstrapOptions = {}): Estimate {
  const value = statistic(Uint32Array.from({ length: n }, (_, i) => i))
  if (n === 0) return { value, low: NaN, high: NaN }
  const draws = resamples(n, options.replicates ?? 2000, options.seed ?? 0).map(statistic)
  return { value, ...percentileInterval(draws, options.level ?? 0.95) }
}

/** Per entry of a matrix (flattened, `size` values), the percentile interval of its values over resampled matrices. */
export function matrixIntervals(draws: ArrayLike<number>[], size: number, level = 0.95): { low: Float64Array; high: Float64Array } {
  const low = new Float64Array(size)
  const high = new Float64Array(size)
  const column = new Float64Array(draws.length)
  for (let e = 0; e < size; e++) {
    draws.forEach((d, r) => (column[r] = d[e]))
    const ci = percentileInterval(column, level)
    low[e] = ci.low
    high[e] = ci.high
  }
  return { low, high }
}

/** Percentile bootstrap of the mean of `values`. */
export function bootstrapMean(values: ArrayLike<number>, options: BootstrapOptions = {}): Estimate {
  return bootstrap(values.length, (idx) => meanAt(values, idx), options)
}

export function meanAt(values: ArrayLike<number>, indices: ArrayLike<number>): number {
  let s = 0
  for (let i = 0; i < indices.length; i++) s += values[indices[i]]
  return indices.length ? s / indices.length : NaN
}

/** Σ numerator ÷ Σ denominator over the indexed examples (a ratio of means); NaN when the denominator sums to 0. */
export function ratioAt(numerator: ArrayLike<number>, denominator: ArrayLike<number>, indices: ArrayLike<number>): number {
  let top = 0
  let bottom = 0
  for (let i = 0; i < indices.length; i++) {
    top += numerator[indices[i]]
    bottom += denominator[indices[i]]
  }
  return bottom > 0 ? top / bottom : NaN
}

// Up to this many pairs the test enumerates every sign pattern (2^16 = 65 536) instead of sampling.
const EXACT_SIGN_FLIPS = 16

/**
 * Two-sided sign-flip permutation test of paired differences (one per example, e.g. run 1's
 * value minus run 2's on the same image): under "no difference" each difference is as likely to
 * have either sign, so the p-value is the share of sign patterns whose |mean| is at least the
 * observed one. Exact for up to 16 pairs; otherwise `replicates` random patterns, counting the
 * observed one. 1 when there are no pairs.
 */
export function signFlipTest(differences: ArrayLike<number>, options: { replicates?: number; seed?: number } = {}): number {
  const n = differences.length
  if (n === 0) return 1
  const d = Float64Array.from(differences)
  const observed = Math.abs(d.reduce((a, b) => a + b, 0))
  // A little slack so sums equal to the observed one up to rounding count as "at least".
  const reaches = (sum: number): boolean => Math.abs(sum) >= observed - 1e-12 * (1 + observed)
  if (n <= EXACT_SIGN_FLIPS) {
    let hits = 0
    const patterns = 2 ** n
    for (let mask = 0; mask < patterns; mask++) {
      let s = 0
      for (let i = 0; i < n; i++) s += mask & (1 << i) ? -d[i] : d[i]
      if (reaches(s)) hits++
    }
    return hits / patterns
  }
  const replicates = options.replicates ?? 10_000
  const random = mulberry32(options.seed ?? 0)
  let hits = 0
  for (let r = 0; r < replicates; r++) {
    let s = 0
    for (let i = 0; i < n; i++) s += random() < 0.5 ? -d[i] : d[i]
    if (reaches(s)) hits++
  }
  return (hits + 1) / (replicates + 1)
}

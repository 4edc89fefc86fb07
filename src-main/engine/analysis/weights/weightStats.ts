/**
 * Weight statistics over training (seed 004): per-weight running mean and variance across
 * epochs, epoch-to-epoch change norms, per-epoch summaries and histograms on shared bins.
 * Epochs are fed one at a time, so a 4096×4096 layer over many epochs never holds more than
 * the accumulators and the previous epoch in memory.
 */
import { ApiError } from '../../../../src-shared/errors'
import type { EpochWeightSummary } from '../../../../src-shared/inspect'
import type { FloatArray } from '../core/matrix'

export interface Histogram {
  counts: Uint32Array
  /** Values outside the edges (only when the edges were not derived from this data). */
  outside: number
}

/**
 * Per-weight running mean and variance (Welford) with float64 accumulators, plus the change
 * norm and a summary of every epoch fed. add() is O(weights) time and keeps O(weights) memory:
 * 2 float64 accumulators and a copy of the previous epoch.
 */
export class WeightHistory {
  private readonly mean: Float64Array
  private readonly m2: Float64Array
  private previous: FloatArray | null = null
  private readonly epochSummaries: EpochWeightSummary[] = []

  constructor(readonly length: number) {
    if (!Number.isInteger(length) || length < 1) throw new ApiError('bad_input', `weight count must be a positive integer, got ${length}`)
    this.mean = new Float64Array(length)
    this.m2 = new Float64Array(length)
  }

  get count(): number {
    return this.epochSummaries.length
  }

  get summaries(): readonly EpochWeightSummary[] {
    return this.epochSummaries
  }

  /** Feeds one epoch's weights (any layout, as long as it is the same every epoch). */
  add(epoch: number, weights: FloatArray): EpochWeightSummary {
    if (weights.length !== this.length) {
      throw new ApiError('bad_input', `epoch ${epoch} has ${weights.length} weights but earlier epochs of this layer have ${this.length}`)
    }
    // First pass, over the new and previous weights only: range, layer sums, change norm, and
    // any NaN/Inf (Math.min/max propagate NaN), found before the accumulators are touched so a
    // bad epoch leaves the history usable. Math.min/max beat compare-and-branch ~2.5× in V8.
    // Sums are shifted by the first weight so the layer std does not cancel when the weights
    // share a large offset; the norm needs the unshifted Σx².
    const shift = weights[0]
    const { mean, m2, previous } = this
    let min = shift
    let max = shift
    let sumShifted = 0
    let sumSqShifted = 0
    let sumSq = 0
    let changeSq = 0
    if (previous) {
      for (let i = 0; i < weights.length; i++) {
        const x = weights[i]
        min = Math.min(min, x)
        max = Math.max(max, x)
        const y = x - shift
        sumShifted += y
        sumSqShifted += y * y
        sumSq += x * x
        const d = x - previous[i]
        changeSq += d * d
      }
    } else {
      for (let i = 0; i < weights.length; i++) {
        const x = weights[i]
        min = Math.min(min, x)
        max = Math.max(max, x)
        const y = x - shift
        sumShifted += y
        sumSqShifted += y * y
        sumSq += x * x
      }
    }
    if (!Number.isFinite(min) || !Number.isFinite(max)) {
      const i = weights.findIndex((x) => !Number.isFinite(x))
      throw new ApiError('bad_input', `epoch ${epoch} has a non-finite weight (${weights[i]}) at index ${i}; the run diverged at or before this epoch`)
    }
    // Welford's update, which stays accurate where Σx² − n·mean² would cancel.
    const inv = 1 / (this.epochSummaries.length + 1)
    for (let i = 0; i < weights.length; i++) {
      const x = weights[i]
      const delta = x - mean[i]
      mean[i] += delta * inv
      m2[i] += delta * (x - mean[i])
    }
    const shiftedMean = sumShifted / weights.length
    const layerMean = shift + shiftedMean
    const std = Math.sqrt(Math.max(0, sumSqShifted / weights.length - shiftedMean * shiftedMean))
    const prevNorm = this.epochSummaries.at(-1)?.norm ?? null
    const changeNorm = previous ? Math.sqrt(changeSq) : null
    const summary: EpochWeightSummary = {
      epoch,
      min,
      max,
      mean: layerMean,
      std,
      norm: Math.sqrt(sumSq),
      changeNorm,
      relativeChange: changeNorm !== null && prevNorm ? changeNorm / prevNorm : null
    }
    this.previous ??= weights instanceof Float64Array ? new Float64Array(this.length) : new Float32Array(this.length)
    this.previous.set(weights)
    this.epochSummaries.push(summary)
    return summary
  }

  /** Per-weight mean over the epochs fed so far. */
  meanMap(): Float32Array {
    this.requireEpochs(1)
    return Float32Array.from(this.mean)
  }

  /** Per-weight variance over the epochs fed: population (ddof 0, as np.var) or sample (ddof 1). */
  varianceMap(ddof: 0 | 1 = 0): Float32Array {
    this.requireEpochs(ddof + 1)
    const out = new Float32Array(this.length)
    const denom = this.count - ddof
    for (let i = 0; i < out.length; i++) out[i] = this.m2[i] / denom
    return out
  }

  private requireEpochs(needed: number): void {
    if (this.count < needed) throw new ApiError('bad_input', `weight statistics need at least ${needed} epoch(s); ${this.count} fed`)
  }
}

/** ‖a − b‖_F, for two epochs of the same layer. */
export function weightChangeNorm(a: FloatArray, b: FloatArray): number {
  if (a.length !== b.length) throw new ApiError('bad_input', `cannot compare weights of different sizes (${a.length} and ${b.length})`)
  let s = 0
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i]
    s += d * d
  }
  return Math.sqrt(s)
}

/** `bins` equal-width bins over [min, max] of all given epoch summaries, so epochs share edges. */
export function sharedBinEdges(ranges: ReadonlyArray<{ min: number; max: number }>, bins: number): Float64Array {
  if (ranges.length === 0) throw new ApiError('bad_input', 'shared histogram bins need at least one epoch')
  if (!Number.isInteger(bins) || bins < 1) throw new ApiError('bad_input', `histogram bin count must be a positive integer, got ${bins}`)
  let lo = Math.min(...ranges.map((r) => r.min))
  let hi = Math.max(...ranges.map((r) => r.max))
  if (lo === hi) {
    // A constant layer (e.g. zero-initialised biases) still gets a visible bin around its value.
    const pad = lo === 0 ? 0.5 : Math.abs(lo) * 1e-3
    lo -= pad
    hi += pad
  }
  const edges = new Float64Array(bins + 1)
  for (let i = 0; i <= bins; i++) edges[i] = lo + ((hi - lo) * i) / bins
  edges[bins] = hi
  return edges
}

/** Counts per bin for equal-width edges; the last bin includes its right edge (as numpy does). */
export function histogram(data: FloatArray, edges: Float64Array): Histogram {
  const bins = edges.length - 1
  if (bins < 1) throw new ApiError('bad_input', 'histogram edges need at least two values')
  const lo = edges[0]
  const hi = edges[bins]
  const scale = bins / (hi - lo)
  const counts = new Uint32Array(bins)
  let outside = 0
  for (let i = 0; i < data.length; i++) {
    const x = data[i]
    if (!(x >= lo && x <= hi)) {
      outside++
      continue
    }
    let b = Math.floor((x - lo) * scale)
    if (b >= bins) b = bins - 1
    // Float rounding can put a value on the wrong side of an edge; the edges array decides.
    if (b > 0 && x < edges[b]) b--
    else if (b < bins - 1 && x >= edges[b + 1]) b++
    counts[b]++
  }
  return { counts, outside }
}

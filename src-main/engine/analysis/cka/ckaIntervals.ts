/**
 * How much a CKA value would move with other examples: percentile bootstrap intervals from
 * resampling the examples with replacement. From the full estimator's Grams a resample costs no
 * new activations: drawing example i w_i times is the same as weighting it by w_i, so each
 * resample's centred Gram is the weighted double-centring of the stored one on the examples drawn.
 */
import { matrixIntervals, resamples } from '../core/bootstrap'
import type { Matrix } from '../core/matrix'
import { prepareGram, type PreparedGram } from './cka'

export const CKA_REPLICATES = 200
export const CKA_LEVEL = 0.95

export interface CkaIntervalOptions {
  replicates?: number
  seed?: number
  level?: number
  /** Awaited after each resample (progress, a chance to cancel). */
  onReplicate?: () => Promise<void>
}

/** √(w_i w_j)·(weighted double-centred Gram) on the examples drawn, so a plain dot product of two is the weighted HSIC. */
function resampledGram(g: PreparedGram, drawn: Uint32Array, weights: Float64Array, roots: Float64Array): { m: Float64Array; norm: number } {
  const n = g.n
  const s = drawn.length
  const rowMeans = new Float64Array(s)
  let total = 0
  for (let a = 0; a < s; a++) {
    const row = drawn[a] * n
    let r = 0
    for (let b = 0; b < s; b++) r += weights[b] * g.gram[row + drawn[b]]
    rowMeans[a] = r / n
    total += weights[a] * rowMeans[a]
  }
  total /= n
  const m = new Float64Array(s * s)
  let norm = 0
  for (let a = 0; a < s; a++) {
    const row = drawn[a] * n
    const wa = roots[a]
    const centre = total - rowMeans[a]
    for (let b = 0; b < s; b++) {
      const v = wa * roots[b] * (g.gram[row + drawn[b]] - rowMeans[b] + centre)
      m[a * s + b] = v
      norm += v * v
    }
  }
  return { m, norm: Math.sqrt(norm) }
}

/** CKA of resampled data, for each resample drawn with `seed`: rows × cols values (A's layers against B's). */
async function resampledCka(a: PreparedGram[], b: PreparedGram[], options: CkaIntervalOptions): Promise<Float64Array[]> {
  const n = a[0].n
  const out: Float64Array[] = []
  for (const idx of resamples(n, options.replicates ?? CKA_REPLICATES, options.seed ?? 0)) {
    const counts = new Float64Array(n)
    for (const i of idx) counts[i]++
    const drawn = Uint32Array.from(Array.from(counts).flatMap((c, i) => (c > 0 ? [i] : [])))
    const weights = Float64Array.from(drawn, (i) => counts[i])
    const roots = weights.map(Math.sqrt)
    const ga = a.map((g) => resampledGram(g, drawn, weights, roots))
    const gb = b.map((g) => resampledGram(g, drawn, weights, roots))
    const values = new Float64Array(a.length * b.length)
    for (let i = 0; i < a.length; i++) {
      for (let j = 0; j < b.length; j++) {
        let dot = 0
        const x = ga[i].m
        const y = gb[j].m
        for (let k = 0; k < x.length; k++) dot += x[k] * y[k]
        const denom = ga[i].norm * gb[j].norm
        values[i * b.length + j] = denom > 0 ? Math.min(1, Math.max(0, dot / denom)) : NaN
      }
    }
    out.push(values)
    await options.onReplicate?.()
  }
  return out
}

/** Percentile intervals of A's layers against B's (row-major, like the CKA matrix) from the full estimator's Grams. */
export async function gramCkaIntervals(a: PreparedGram[], b: PreparedGram[], options: CkaIntervalOptions = {}): Promise<{ low: Float64Array; high: Float64Array }> {
  return matrixIntervals(await resampledCka(a, b, options), a.length * b.length, options.level ?? CKA_LEVEL)
}

// About this many multiply-adds for all resamples together (a few seconds), so intervals never dwarf the CKA itself.
const INTERVAL_BUDGET = 1.5e9

/**
 * Resamples affordable for n examples and these layer counts: each costs about 0.4·n² per layer
 * (the examples drawn at least once are ~63 % of n) and as much per pair; 0 when fewer than 20 fit.
 */
export function affordableReplicates(n: number, layersA: number, layersB: number): number {
  const perReplicate = 0.4 * n * n * (layersA + layersB + layersA * layersB)
  const fit = Math.min(CKA_REPLICATES, Math.floor(INTERVAL_BUDGET / Math.max(1, perReplicate)))
  return fit >= 20 ? fit : 0
}

// Past this many examples two n×n float64 Grams take more than 256 MB: no interval from them.
const MAX_INTERVAL_EXAMPLES = 4096

/** The 95 % interval of linear CKA between X and Y from resampling their rows (examples); null with the reason when it would cost too much. */
export async function linearCkaInterval(x: Matrix, y: Matrix): Promise<{ low: number; high: number; replicates: number } | { note: string }> {
  const replicates = x.rows <= MAX_INTERVAL_EXAMPLES ? affordableReplicates(x.rows, 1, 1) : 0
  if (replicates === 0) return { note: `no interval: resampling ${x.rows} examples would take too long; use --batch N, whose interval resamples the batches` }
  const { low, high } = await gramCkaIntervals([prepareGram(x)], [prepareGram(y)], { replicates })
  return { low: low[0], high: high[0], replicates }
}

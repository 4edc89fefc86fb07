/**
 * Feature-map descriptors and similarity-based early exit (seed 000, Park & Kim 2019).
 * A layer's descriptor is V = (μ_0, σ_0, μ_1, σ_1, …) with μ_i = mean |F_i| and σ_i the
 * population standard deviation of |F_i| over the P×Q positions of channel i. Descriptors are
 * compared by cosine distance D(U, T) = 1 − U·T / (|U| |T|).
 */
import { ApiError } from '../../../../src-shared/errors'
import type { FloatArray } from './matrix'

function checkShape(data: FloatArray, shape: readonly number[], rank: number, what: string): void {
  if (shape.length !== rank || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new ApiError('bad_input', `${what} must have shape ${rank === 3 ? '[H, W, C]' : '[N, H, W, C]'}, got [${shape.join(', ')}]`)
  }
  const size = shape.reduce((a, b) => a * b, 1)
  if (data.length !== size) throw new ApiError('bad_input', `${what} has ${data.length} values but shape [${shape.join(', ')}] needs ${size}`)
}

/** Writes the 2C descriptor of one [H, W, C] map (channels last) starting at data[offset]. */
function describeInto(data: FloatArray, offset: number, positions: number, channels: number, out: Float32Array, outOffset: number): void {
  const sum = new Float64Array(channels)
  for (let p = 0; p < positions; p++) {
    const base = offset + p * channels
    for (let c = 0; c < channels; c++) sum[c] += Math.abs(data[base + c])
  }
  for (let c = 0; c < channels; c++) sum[c] /= positions
  // Second pass around the mean: sum-of-squares minus mean² cancels badly for near-constant maps.
  const dev = new Float64Array(channels)
  for (let p = 0; p < positions; p++) {
    const base = offset + p * channels
    for (let c = 0; c < channels; c++) {
      const d = Math.abs(data[base + c]) - sum[c]
      dev[c] += d * d
    }
  }
  for (let c = 0; c < channels; c++) {
    out[outOffset + 2 * c] = sum[c]
    out[outOffset + 2 * c + 1] = Math.sqrt(dev[c] / positions)
  }
}

/** Descriptor (μ_0, σ_0, μ_1, σ_1, …) of one feature map of shape [H, W, C]. */
export function channelDescriptor(data: FloatArray, shape: readonly number[]): Float32Array {
  checkShape(data, shape, 3, 'feature map')
  const [h, w, c] = shape
  const out = new Float32Array(2 * c)
  describeInto(data, 0, h * w, c, out, 0)
  return out
}

/** Descriptors of a batch [N, H, W, C]: N rows of 2C values, row-major. */
export function batchDescriptors(data: FloatArray, shape: readonly number[]): Float32Array {
  checkShape(data, shape, 4, 'feature map batch')
  const [n, h, w, c] = shape
  const out = new Float32Array(n * 2 * c)
  for (let i = 0; i < n; i++) describeInto(data, i * h * w * c, h * w, c, out, i * 2 * c)
  return out
}

/**
 * D(U, T) = 1 − U·T / (|U| |T|), in [0, 2]. A zero vector (a layer silent for this image) has no
 * direction; it is given distance 1, as if orthogonal, so it never counts as a match.
 */
export function cosineDistance(u: FloatArray, t: FloatArray): number {
  if (u.length !== t.length) throw new ApiError('bad_input', `descriptors have different lengths (${u.length} and ${t.length}); they must come from the same layer`)
  let dot = 0
  let uu = 0
  let tt = 0
  for (let i = 0; i < u.length; i++) {
    dot += u[i] * t[i]
    uu += u[i] * u[i]
    tt += t[i] * t[i]
  }
  if (uu === 0 || tt === 0) return 1
  return 1 - dot / Math.sqrt(uu * tt)
}

/** One row of the class table: a class's centroid descriptor at one layer. */
export interface ClassCentroid {
  layer: string
  label: number
  /** Training descriptors folded into the centroid. */
  count: number
  centroid: Float64Array
  /** Running mean of the distances that serves as the class's threshold (0 until count ≥ 2). */
  meanDistance: number
}

export interface EarlyExitDecision {
  /** True when the nearest class's distance is within its threshold × factor. */
  exit: boolean
  /** Nearest class by cosine distance, or null when the layer has no classes. */
  label: number | null
  /** Cosine distance to that class's centroid; null when the layer has no classes. */
  distance: number | null
  /** meanDistance × factor of the nearest class; null when it has seen fewer than 2 descriptors. */
  threshold: number | null
}

/**
 * The per-layer, per-class table of the authors' reference code: a running-mean centroid, a
 * count, and a running mean distance used as the class threshold. Each training descriptor's
 * distance is measured to the centroid as it stood before that descriptor was folded in, so the
 * threshold reflects how far unseen members of the class fall, not how close a point is to a
 * mean it helped form. (The first descriptor of a class has no centroid to compare with.)
 */
export class DescriptorTable {
  private readonly table = new Map<string, Map<number, ClassCentroid>>()

  /** Folds one training descriptor of class `label` at `layer` into the table. */
  add(layer: string, label: number, descriptor: FloatArray): ClassCentroid {
    let classes = this.table.get(layer)
    if (!classes) {
      classes = new Map()
      this.table.set(layer, classes)
    }
    let row = classes.get(label)
    if (!row) {
      row = { layer, label, count: 0, centroid: new Float64Array(descriptor.length), meanDistance: 0 }
      classes.set(label, row)
    }
    if (row.centroid.length !== descriptor.length) {
      throw new ApiError('bad_input', `layer ${layer}: descriptor length ${descriptor.length} differs from earlier ones (${row.centroid.length})`)
    }
    if (row.count > 0) {
      const d = cosineDistance(descriptor, row.centroid)
      // count − 1 distances have been averaged so far (none for the first descriptor).
      row.meanDistance += (d - row.meanDistance) / row.count
    }
    row.count++
    for (let i = 0; i < descriptor.length; i++) row.centroid[i] += (descriptor[i] - row.centroid[i]) / row.count
    return row
  }

  layers(): string[] {
    return [...this.table.keys()]
  }

  /** Rows of one layer (or all layers), ordered by layer insertion then label, for storage. */
  rows(layer?: string): ClassCentroid[] {
    const layers = layer === undefined ? this.layers() : [layer]
    return layers.flatMap((l) => [...(this.table.get(l)?.values() ?? [])].sort((a, b) => a.label - b.label))
  }

  /** Rebuilds a table from stored rows (e.g. read back from SQLite). */
  static fromRows(rows: readonly ClassCentroid[]): DescriptorTable {
    const t = new DescriptorTable()
    for (const r of rows) {
      let classes = t.table.get(r.layer)
      if (!classes) {
        classes = new Map()
        t.table.set(r.layer, classes)
      }
      classes.set(r.label, { ...r, centroid: Float64Array.from(r.centroid) })
    }
    return t
  }

  decide(layer: string, descriptor: FloatArray, factor = 1): EarlyExitDecision {
    return earlyExitDecision(this.rows(layer), descriptor, factor)
  }
}

/**
 * Nearest class centroid by cosine distance; exit when that distance ≤ the class's threshold ×
 * factor. A class seen only once has no threshold and never triggers an exit. Ties go to the
 * lower label, so the decision is deterministic.
 */
export function earlyExitDecision(rows: readonly ClassCentroid[], descriptor: FloatArray, factor = 1): EarlyExitDecision {
  if (!(factor >= 0) || !Number.isFinite(factor)) throw new ApiError('bad_input', `threshold factor must be a finite number ≥ 0, got ${factor}`)
  let best: ClassCentroid | null = null
  let bestDistance = Infinity
  const ordered = [...rows].sort((a, b) => a.label - b.label)
  for (const row of ordered) {
    if (row.count < 1) continue
    const d = cosineDistance(descriptor, row.centroid)
    if (d < bestDistance) {
      bestDistance = d
      best = row
    }
  }
  if (!best) return { exit: false, label: null, distance: null, threshold: null }
  const threshold = best.count >= 2 ? best.meanDistance * factor : null
  return { exit: threshold !== null && bestDistance <= threshold, label: best.label, distance: bestDistance, threshold }
}

/**
 * Nearest neighbours by cosine distance as one matrix product: the reference descriptors are
 * normalised once to unit length and kept as a [d, n] matrix, a batch of queries is normalised
 * and multiplied by it, and each row's k largest similarities are picked without sorting the row.
 */
import * as tf from '@tensorflow/tfjs'

/** Rows scaled to unit length; a zero row stays zero (it then has similarity 0 to everything, distance 1). */
export function normaliseRows(values: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(values.length)
  for (let r = 0; r * dim < values.length; r++) {
    let ss = 0
    for (let j = 0; j < dim; j++) ss += values[r * dim + j] * values[r * dim + j]
    const scale = ss > 0 ? 1 / Math.sqrt(ss) : 0
    for (let j = 0; j < dim; j++) out[r * dim + j] = values[r * dim + j] * scale
  }
  return out
}

/**
 * Indices of the k largest of `row` (ties to the lower index), best first: one pass keeping a
 * sorted buffer of k, O(n·k) with k small instead of O(n log n) for a full sort.
 */
export function topK(row: Float32Array, k: number, offset = 0, length = row.length - offset): Int32Array {
  const m = Math.min(k, length)
  const idx = new Int32Array(m)
  const val = new Float32Array(m).fill(-Infinity)
  let filled = 0
  for (let i = 0; i < length; i++) {
    const v = row[offset + i]
    if (filled === m && !(v > val[m - 1])) continue
    let p = filled < m ? filled++ : m - 1
    while (p > 0 && v > val[p - 1]) {
      val[p] = val[p - 1]
      idx[p] = idx[p - 1]
      p--
    }
    val[p] = v
    idx[p] = i
  }
  return idx
}

export interface Neighbours {
  /** [queries × k] reference row indices, nearest first. */
  indices: Int32Array
  /** [queries × k] cosine distances 1 − cos. */
  distances: Float32Array
  k: number
}

export class CosineIndex {
  readonly count: number
  private readonly matrix: tf.Tensor2D

  /** `vectors`: n rows of `dim` values. */
  constructor(
    vectors: Float32Array,
    readonly dim: number
  ) {
    this.count = dim > 0 ? vectors.length / dim : 0
    this.matrix = tf.tidy(() => tf.tensor2d(normaliseRows(vectors, dim), [this.count, dim]).transpose() as tf.Tensor2D)
  }

  /** The k nearest references of each of the `queries` (rows of `dim` values). */
  search(queries: Float32Array, k: number): Neighbours {
    const m = queries.length / this.dim
    const sims = tf.tidy(() => tf.matMul(tf.tensor2d(normaliseRows(queries, this.dim), [m, this.dim]), this.matrix))
    const data = sims.dataSync() as Float32Array
    sims.dispose()
    const kk = Math.min(k, this.count)
    const indices = new Int32Array(m * kk)
    const distances = new Float32Array(m * kk)
    for (let q = 0; q < m; q++) {
      const best = topK(data, kk, q * this.count, this.count)
      for (let j = 0; j < kk; j++) {
        indices[q * kk + j] = best[j]
        distances[q * kk + j] = 1 - data[q * this.count + best[j]]
      }
    }
    return { indices, distances, k: kk }
  }

  dispose(): void {
    this.matrix.dispose()
  }
}

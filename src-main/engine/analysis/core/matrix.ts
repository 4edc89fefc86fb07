import { ApiError } from '../../../../src-shared/errors'
import { formatShape, type NpyArray } from '../../data/npy'

export type FloatArray = Float32Array | Float64Array

/** A dense row-major matrix. For activations, rows are examples and columns are features. */
export interface Matrix {
  rows: number
  cols: number
  data: FloatArray
}

export function makeMatrix(data: FloatArray, rows: number, cols: number, label = 'matrix'): Matrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new ApiError('bad_input', `${label}: shape ${rows}×${cols} is not a valid matrix shape`)
  }
  if (data.length !== rows * cols) {
    throw new ApiError('bad_input', `${label}: ${data.length} values do not fill a ${rows}×${cols} matrix (${rows * cols} needed)`)
  }
  return { rows, cols, data }
}

/** Rows `indices` (or `start..end`) of m, copied, keeping the element type. */
export function takeRows(m: Matrix, indices: ArrayLike<number>): Matrix {
  const out = m.data instanceof Float32Array ? new Float32Array(indices.length * m.cols) : new Float64Array(indices.length * m.cols)
  for (let r = 0; r < indices.length; r++) {
    const src = indices[r] * m.cols
    out.set(m.data.subarray(src, src + m.cols), r * m.cols)
  }
  return { rows: indices.length, cols: m.cols, data: out }
}

export function columnMeans(m: Matrix): Float64Array {
  const { rows, cols, data } = m
  const mean = new Float64Array(cols)
  for (let r = 0; r < rows; r++) {
    const base = r * cols
    for (let c = 0; c < cols; c++) mean[c] += data[base + c]
  }
  for (let c = 0; c < cols; c++) mean[c] /= rows
  return mean
}

// Columns per centred tile. The inner loop streams five rows of the tile (10 KB at 256
// float64s), which stays in L1, and a tile of up to ~1000 rows (2 MB) stays in L2 while every
// pair of its rows is visited. It also avoids a full centred float64 copy of a wide layer.
const TILE_WIDTH = 256

/**
 * The n×n Gram matrix Xc·Xcᵀ of the column-centred rows, in float64.
 * Centring happens tile by tile over the columns, so memory stays O(n² + tile) even for very
 * wide layers. Cost ≈ n²·p/2 multiply-adds.
 */
export function centredGram(m: Matrix): Float64Array {
  const { rows: n, cols: p, data } = m
  const mean = columnMeans(m)
  const gram = new Float64Array(n * n)
  const width = Math.max(1, Math.min(p, TILE_WIDTH))
  const tile = new Float64Array(n * width)
  for (let c0 = 0; c0 < p; c0 += width) {
    const w = Math.min(width, p - c0)
    for (let i = 0; i < n; i++) {
      const src = i * p + c0
      const dst = i * w
      for (let k = 0; k < w; k++) tile[dst + k] = data[src + k] - mean[c0 + k]
    }
    for (let i = 0; i < n; i++) {
      const ai = i * w
      let j = 0
      // Four dot products per sweep reuse each load of row i: ~3× faster than one at a time.
      for (; j + 3 <= i; j += 4) {
        const b0 = j * w
        const b1 = b0 + w
        const b2 = b1 + w
        const b3 = b2 + w
        let s0 = 0
        let s1 = 0
        let s2 = 0
        let s3 = 0
        for (let k = 0; k < w; k++) {
          const a = tile[ai + k]
          s0 += a * tile[b0 + k]
          s1 += a * tile[b1 + k]
          s2 += a * tile[b2 + k]
          s3 += a * tile[b3 + k]
        }
        const g = i * n + j
        gram[g] += s0
        gram[g + 1] += s1
        gram[g + 2] += s2
        gram[g + 3] += s3
      }
      for (; j <= i; j++) {
        const bj = j * w
        let s = 0
        for (let k = 0; k < w; k++) s += tile[ai + k] * tile[bj + k]
        gram[i * n + j] += s
      }
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) gram[j * n + i] = gram[i * n + j]
  return gram
}

/**
 * Views an array as rows × rest: a 1-D array of n values is n rows of one feature, and an
 * N-D array [n, a, b, …] is n rows of a·b·… features (C order, so no copy is needed).
 */
export function npyAsMatrix(array: NpyArray, name: string): Matrix {
  if (array.shape.length === 0) throw new ApiError('bad_input', `${name}: holds a single scalar; CKA needs a 2-D array with one row per example`)
  const rows = array.shape[0]
  const cols = array.shape.slice(1).reduce((a, b) => a * b, 1)
  if (rows === 0 || cols === 0) throw new ApiError('bad_input', `${name}: is empty (shape ${formatShape(array.shape)}); export the activations with one row per example`)
  return { rows, cols, data: array.data }
}

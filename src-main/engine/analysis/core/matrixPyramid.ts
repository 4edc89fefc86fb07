/**
 * One pre-pooled level of a big matrix (4×4 blocks: a 4096×4096 layer becomes 1024×1024), so a
 * whole-matrix or zoomed-out view is pooled from 1M cells instead of 16.7M weights. Each cell
 * keeps the largest and smallest value of its block, which is all max-abs pooling and the
 * region's range need: the max-abs of a union of blocks is the max-abs of their extremes.
 */
import type { FloatArray } from './matrix'
import type { MatrixRegion } from '../../../../src-shared/inspect'
import type { DownsampledMatrix } from './downsample'

export const PYRAMID_BLOCK = 4

export interface MatrixPyramid {
  rows: number
  cols: number
  block: number
  levelRows: number
  levelCols: number
  hi: Float32Array
  lo: Float32Array
}

/** Per-block extremes of a rows × cols row-major matrix. */
function extremes(data: FloatArray, rows: number, cols: number, block: number): { hi: Float32Array; lo: Float32Array; levelRows: number; levelCols: number } {
  const levelRows = Math.ceil(rows / block)
  const levelCols = Math.ceil(cols / block)
  const hi = new Float32Array(levelRows * levelCols).fill(-Infinity)
  const lo = new Float32Array(levelRows * levelCols).fill(Infinity)
  for (let r = 0; r < rows; r++) {
    const base = Math.floor(r / block) * levelCols
    const src = r * cols
    for (let lc = 0; lc < levelCols; lc++) {
      const end = Math.min(cols, (lc + 1) * block)
      let h = hi[base + lc]
      let l = lo[base + lc]
      for (let c = lc * block; c < end; c++) {
        const v = data[src + c]
        h = Math.max(h, v)
        l = Math.min(l, v)
      }
      hi[base + lc] = h
      lo[base + lc] = l
    }
  }
  return { hi, lo, levelRows, levelCols }
}

function transposed(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length)
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c]
  return out
}

/**
 * The pyramid of a rows × cols matrix. With `storedTransposed`, `data` is the matrix's
 * transpose as stored (a dense kernel [in, out] for a matrix of out rows): blocks of the
 * transpose are the transposes of blocks, so the big matrix is never rearranged.
 */
export function buildPyramid(data: FloatArray, rows: number, cols: number, storedTransposed = false, block = PYRAMID_BLOCK): MatrixPyramid {
  if (!storedTransposed) return { rows, cols, block, ...extremes(data, rows, cols, block) }
  const t = extremes(data, cols, rows, block)
  return { rows, cols, block, levelRows: t.levelCols, levelCols: t.levelRows, hi: transposed(t.hi, t.levelRows, t.levelCols), lo: transposed(t.lo, t.levelRows, t.levelCols) }
}

/**
 * A max-abs view of `region` from the pyramid, or null when the pyramid cannot give it exactly
 * (a region not on block boundaries, or blocks finer than the pyramid's): the caller pools the
 * full matrix then. Blocks are rounded up to whole pyramid blocks, so the view can have a few
 * fewer cells than asked for, never more.
 */
export function viewFromPyramid(p: MatrixPyramid, options: { maxRows: number; maxCols: number; region?: MatrixRegion }): DownsampledMatrix | null {
  const region = options.region ?? { row: 0, col: 0, rows: p.rows, cols: p.cols }
  const b = p.block
  const aligned = (start: number, size: number, total: number) => start % b === 0 && ((start + size) % b === 0 || start + size === total)
  if (!aligned(region.row, region.rows, p.rows) || !aligned(region.col, region.cols, p.cols)) return null
  const wantRows = Math.ceil(region.rows / options.maxRows)
  const wantCols = Math.ceil(region.cols / options.maxCols)
  if (wantRows < b || wantCols < b) return null
  const blockRows = b * Math.ceil(wantRows / b)
  const blockCols = b * Math.ceil(wantCols / b)
  const outRows = Math.ceil(region.rows / blockRows)
  const outCols = Math.ceil(region.cols / blockCols)
  const perRow = blockRows / b
  const perCol = blockCols / b
  const r0 = region.row / b
  const c0 = region.col / b
  const r1 = Math.ceil((region.row + region.rows) / b)
  const c1 = Math.ceil((region.col + region.cols) / b)
  const hi = new Float64Array(outRows * outCols).fill(-Infinity)
  const lo = new Float64Array(outRows * outCols).fill(Infinity)
  for (let lr = r0; lr < r1; lr++) {
    const outBase = Math.floor((lr - r0) / perRow) * outCols
    for (let lc = c0; lc < c1; lc++) {
      const cell = outBase + Math.floor((lc - c0) / perCol)
      hi[cell] = Math.max(hi[cell], p.hi[lr * p.levelCols + lc])
      lo[cell] = Math.min(lo[cell], p.lo[lr * p.levelCols + lc])
    }
  }
  const data = new Float32Array(outRows * outCols)
  let min = Infinity
  let max = -Infinity
  for (let k = 0; k < data.length; k++) {
    // Same tie rule as downsampleMatrix: +a wins over −a.
    data[k] = hi[k] >= -lo[k] ? hi[k] : lo[k]
    min = Math.min(min, lo[k])
    max = Math.max(max, hi[k])
  }
  return {
    data,
    rows: outRows,
    cols: outCols,
    sourceRows: p.rows,
    sourceCols: p.cols,
    rowOffset: region.row,
    colOffset: region.col,
    regionRows: region.rows,
    regionCols: region.cols,
    blockRows,
    blockCols,
    mode: 'maxabs',
    min,
    max
  }
}

export function pyramidBytes(p: MatrixPyramid): number {
  return p.hi.byteLength + p.lo.byteLength
}

/**
 * Block-pools a large matrix (a 4096×4096 weight map) to at most maxRows × maxCols cells for
 * display. The result says which source block each cell covers, so the UI can map a cell back
 * to exact weights and request a smaller region at full resolution when zooming in.
 */
import { ApiError } from '../../../../src-shared/errors'
import type { MatrixRegion, PoolMode } from '../../../../src-shared/inspect'
import type { FloatArray } from './matrix'


export interface DownsampledMatrix {
  data: Float32Array
  rows: number
  cols: number
  /** Size of the whole source matrix. */
  sourceRows: number
  sourceCols: number
  /** The pooled region of the source: top-left cell and size. */
  rowOffset: number
  colOffset: number
  regionRows: number
  regionCols: number
  /** Cell (r, c) covers source rows rowOffset + r·blockRows … (+blockRows − 1), clipped at the region's edge; likewise columns. */
  blockRows: number
  blockCols: number
  mode: PoolMode
  /** Range of the source values in the region, so colour scales need not depend on pooling. */
  min: number
  max: number
}

/**
 * Pools `region` (default: all) of a rows × cols row-major matrix. 'maxabs' keeps the signed
 * value with the largest magnitude in each block (so isolated strong weights stay visible; a
 * tie between +a and −a keeps +a); 'mean' averages the block. 1×1 blocks copy values exactly.
 */
export function downsampleMatrix(
  data: FloatArray,
  rows: number,
  cols: number,
  options: { maxRows: number; maxCols: number; mode?: PoolMode; region?: MatrixRegion }
): DownsampledMatrix {
  if (data.length !== rows * cols) throw new ApiError('bad_input', `${data.length} values do not fill a ${rows}×${cols} matrix`)
  const mode = options.mode ?? 'maxabs'
  const region = options.region ?? { row: 0, col: 0, rows, cols }
  const { row: r0, col: c0 } = region
  if (
    ![r0, c0, region.rows, region.cols, options.maxRows, options.maxCols].every(Number.isInteger) ||
    r0 < 0 ||
    c0 < 0 ||
    region.rows < 1 ||
    region.cols < 1 ||
    r0 + region.rows > rows ||
    c0 + region.cols > cols
  ) {
    throw new ApiError('bad_input', `region rows ${r0}+${region.rows}, cols ${c0}+${region.cols} is not inside the ${rows}×${cols} matrix`)
  }
  if (options.maxRows < 1 || options.maxCols < 1) throw new ApiError('bad_input', 'downsampled size must be at least 1×1')

  const blockRows = Math.ceil(region.rows / options.maxRows)
  const blockCols = Math.ceil(region.cols / options.maxCols)
  const outRows = Math.ceil(region.rows / blockRows)
  const outCols = Math.ceil(region.cols / blockCols)
  const cells = outRows * outCols
  const out = new Float32Array(cells)
  // Per-cell extremes serve both modes: the max-abs value is whichever of them is larger in
  // magnitude, and they give the region's range. Math.max/min beat compare-and-branch in V8.
  const hi = new Float64Array(cells).fill(-Infinity)
  const lo = new Float64Array(cells).fill(Infinity)
  const sums = mode === 'mean' ? new Float64Array(cells) : null

  for (let r = 0; r < region.rows; r++) {
    const outBase = Math.floor(r / blockRows) * outCols
    const srcBase = (r0 + r) * cols + c0
    for (let oc = 0; oc < outCols; oc++) {
      const cStart = oc * blockCols
      const cEnd = Math.min(region.cols, cStart + blockCols)
      const cell = outBase + oc
      let h = hi[cell]
      let l = lo[cell]
      let s = 0
      for (let c = cStart; c < cEnd; c++) {
        const v = data[srcBase + c]
        h = Math.max(h, v)
        l = Math.min(l, v)
        s += v
      }
      hi[cell] = h
      lo[cell] = l
      if (sums) sums[cell] += s
    }
  }
  let min = Infinity
  let max = -Infinity
  for (let cell = 0; cell < cells; cell++) {
    min = Math.min(min, lo[cell])
    max = Math.max(max, hi[cell])
    if (!sums) out[cell] = hi[cell] >= -lo[cell] ? hi[cell] : lo[cell]
  }
  if (sums) {
    for (let or = 0; or < outRows; or++) {
      const h = Math.min(region.rows, (or + 1) * blockRows) - or * blockRows
      for (let oc = 0; oc < outCols; oc++) {
        const w = Math.min(region.cols, (oc + 1) * blockCols) - oc * blockCols
        out[or * outCols + oc] = sums[or * outCols + oc] / (h * w)
      }
    }
  }
  return {
    data: out,
    rows: outRows,
    cols: outCols,
    sourceRows: rows,
    sourceCols: cols,
    rowOffset: r0,
    colOffset: c0,
    regionRows: region.rows,
    regionCols: region.cols,
    blockRows,
    blockCols,
    mode,
    min,
    max
  }
}

/** The source region (clipped) that display cell (row, col) of a downsampled matrix covers. */
export function cellSourceRegion(d: DownsampledMatrix, row: number, col: number): MatrixRegion {
  if (!(row >= 0 && row < d.rows && col >= 0 && col < d.cols)) {
    throw new ApiError('bad_input', `cell (${row}, ${col}) is outside the ${d.rows}×${d.cols} downsampled matrix`)
  }
  const rStart = d.rowOffset + row * d.blockRows
  const cStart = d.colOffset + col * d.blockCols
  const rEnd = Math.min(d.rowOffset + d.regionRows, rStart + d.blockRows)
  const cEnd = Math.min(d.colOffset + d.regionCols, cStart + d.blockCols)
  return { row: rStart, col: cStart, rows: rEnd - rStart, cols: cEnd - cStart }
}

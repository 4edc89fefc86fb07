/**
 * Display views of a weight tensor straight from its stored layout. A dense kernel is stored
 * [in, out] and shown as its transpose (a row per output unit); rearranging 16.7M weights
 * costs more than pooling them, so dense views pool the stored array with rows and columns
 * swapped and transpose only the small result. Other layouts are rearranged once (toWeightMatrix).
 */
import type { MatrixRegion, PoolMode } from '../../../../src-shared/inspect'
import { downsampleMatrix, type DownsampledMatrix } from '../core/downsample'
import type { FloatArray } from '../core/matrix'
import { buildPyramid, viewFromPyramid, type MatrixPyramid } from '../core/matrixPyramid'
import { toWeightMatrix, type WeightMatrixLayout } from './weightMatrix'

export interface ViewOptions {
  maxRows: number
  maxCols: number
  mode: PoolMode
  region?: MatrixRegion
}

/** Pools the matrix whose transpose is `stored` (cols × rows, row-major). */
export function transposedView(stored: FloatArray, rows: number, cols: number, options: ViewOptions): DownsampledMatrix {
  const region = options.region ?? { row: 0, col: 0, rows, cols }
  const t = downsampleMatrix(stored, cols, rows, {
    maxRows: options.maxCols,
    maxCols: options.maxRows,
    mode: options.mode,
    region: { row: region.col, col: region.row, rows: region.cols, cols: region.rows }
  })
  const data = new Float32Array(t.data.length)
  for (let r = 0; r < t.rows; r++) for (let c = 0; c < t.cols; c++) data[c * t.rows + r] = t.data[r * t.cols + c]
  return {
    data,
    rows: t.cols,
    cols: t.rows,
    sourceRows: rows,
    sourceCols: cols,
    rowOffset: t.colOffset,
    colOffset: t.rowOffset,
    regionRows: t.regionCols,
    regionCols: t.regionRows,
    blockRows: t.blockCols,
    blockCols: t.blockRows,
    mode: t.mode,
    min: t.min,
    max: t.max
  }
}

/** A weight tensor as stored, with its matrix built only if a layout needs rearranging. */
export class WeightSource {
  private rearranged: Float32Array | null = null

  constructor(
    readonly layout: WeightMatrixLayout,
    readonly stored: Float32Array
  ) {}

  get byteLength(): number {
    return this.stored.byteLength + (this.rearranged?.byteLength ?? 0)
  }

  /** Dense and vector layouts are views of the stored array; the rest is rearranged once. */
  private matrix(): Float32Array {
    if (this.layout.kind === 'vector') return this.stored
    this.rearranged ??= toWeightMatrix(this.stored, this.layout)
    return this.rearranged
  }

  pyramid(): MatrixPyramid {
    const { rows, cols, kind } = this.layout
    return kind === 'dense' ? buildPyramid(this.stored, rows, cols, true) : buildPyramid(this.matrix(), rows, cols)
  }

  /** A view from the pyramid where it is exact, else pooled from the weights themselves. */
  view(options: ViewOptions, pyramid: MatrixPyramid | null): DownsampledMatrix {
    const quick = pyramid && options.mode === 'maxabs' ? viewFromPyramid(pyramid, options) : null
    if (quick) return quick
    const { rows, cols } = this.layout
    if (this.layout.kind === 'dense') return transposedView(this.stored, rows, cols, options)
    return downsampleMatrix(this.matrix(), rows, cols, options)
  }
}

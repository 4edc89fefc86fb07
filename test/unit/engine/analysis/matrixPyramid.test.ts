import { describe, expect, it } from 'vitest'
import { downsampleMatrix } from '../../../../src-main/engine/analysis/core/downsample'
import { buildPyramid, viewFromPyramid } from '../../../../src-main/engine/analysis/core/matrixPyramid'
import { toWeightMatrix, weightMatrixLayout } from '../../../../src-main/engine/analysis/weights/weightMatrix'
import { transposedView, WeightSource } from '../../../../src-main/engine/analysis/weights/weightViews'

/** Deterministic values with both signs, ties of +a and −a, and a few isolated spikes. */
function values(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => (i % 97 === 0 ? (i % 2 ? -3 : 3) : Math.sin(i * 0.7) * Math.cos(i * 0.013)))
}

/** Max-abs pooling written out cell by cell, for any block size (+a wins a tie with −a). */
function referencePool(data: Float32Array, cols: number, region: { row: number; col: number; rows: number; cols: number }, br: number, bc: number) {
  const out: number[] = []
  let min = Infinity
  let max = -Infinity
  for (let r0 = 0; r0 < region.rows; r0 += br) {
    for (let c0 = 0; c0 < region.cols; c0 += bc) {
      let best = 0
      let bestAbs = -1
      for (let r = r0; r < Math.min(region.rows, r0 + br); r++) {
        for (let c = c0; c < Math.min(region.cols, c0 + bc); c++) {
          const v = data[(region.row + r) * cols + region.col + c]
          min = Math.min(min, v)
          max = Math.max(max, v)
          if (Math.abs(v) > bestAbs || (Math.abs(v) === bestAbs && v > best)) [best, bestAbs] = [v, Math.abs(v)]
        }
      }
      out.push(best)
    }
  }
  return { data: out, min, max }
}

describe('pooling from a pyramid', () => {
  it('gives exactly the max-abs view and range that pooling every value gives, for the same blocks', () => {
    const rows = 203
    const cols = 150
    const data = values(rows * cols)
    const pyramid = buildPyramid(data, rows, cols)
    for (const [maxRows, maxCols, region] of [
      [26, 19, undefined],
      [10, 10, undefined],
      [30, 20, { row: 40, col: 8, rows: 120, cols: 100 }],
      [15, 25, { row: 40, col: 8, rows: 120, cols: 100 }],
      [5, 5, { row: 200, col: 148, rows: 3, cols: 2 }]
    ] as const) {
      const view = viewFromPyramid(pyramid, { maxRows, maxCols, region })
      if (region?.rows === 3) {
        expect(view).toBeNull() // blocks finer than the pyramid's: the caller pools the values
        continue
      }
      expect(view).not.toBeNull()
      const whole = region ?? { row: 0, col: 0, rows, cols }
      expect(view!.blockRows % 4).toBe(0)
      expect(view!.blockRows).toBeGreaterThanOrEqual(Math.ceil(whole.rows / maxRows))
      const direct = referencePool(data, cols, whole, view!.blockRows, view!.blockCols)
      expect(Array.from(view!.data)).toEqual(direct.data.map(Math.fround))
      expect([view!.min, view!.max]).toEqual([direct.min, direct.max])
      expect([view!.rows, view!.cols]).toEqual([Math.ceil(whole.rows / view!.blockRows), Math.ceil(whole.cols / view!.blockCols)])
      // Blocks that are already whole pyramid blocks pool exactly as downsampleMatrix does.
      if (Math.ceil(whole.rows / maxRows) % 4 === 0 && Math.ceil(whole.cols / maxCols) % 4 === 0) {
        expect(Array.from(downsampleMatrix(data, rows, cols, { maxRows, maxCols, region }).data)).toEqual(Array.from(view!.data))
      }
      expect(view!.rows).toBeLessThanOrEqual(maxRows)
      expect(view!.cols).toBeLessThanOrEqual(maxCols)
    }
    // Not on block boundaries: no pyramid view.
    expect(viewFromPyramid(pyramid, { maxRows: 10, maxCols: 10, region: { row: 3, col: 0, rows: 100, cols: 100 } })).toBeNull()
  })

  it('builds the pyramid of a dense kernel from its stored [in, out] layout', () => {
    const [inputs, units] = [90, 130]
    const stored = values(inputs * units)
    const layout = weightMatrixLayout([inputs, units])
    const matrix = toWeightMatrix(stored, layout)
    const fromStored = buildPyramid(stored, layout.rows, layout.cols, true)
    const fromMatrix = buildPyramid(matrix, layout.rows, layout.cols)
    expect([fromStored.levelRows, fromStored.levelCols]).toEqual([fromMatrix.levelRows, fromMatrix.levelCols])
    expect(Array.from(fromStored.hi)).toEqual(Array.from(fromMatrix.hi))
    expect(Array.from(fromStored.lo)).toEqual(Array.from(fromMatrix.lo))
  })
})

describe('views of stored weights', () => {
  it('pools a dense kernel without rearranging it, exactly as pooling its matrix', () => {
    const [inputs, units] = [77, 45]
    const stored = values(inputs * units)
    const layout = weightMatrixLayout([inputs, units])
    const matrix = toWeightMatrix(stored, layout)
    for (const options of [
      { maxRows: 45, maxCols: 77, mode: 'maxabs' as const },
      { maxRows: 8, maxCols: 9, mode: 'mean' as const },
      { maxRows: 6, maxCols: 30, mode: 'maxabs' as const, region: { row: 10, col: 20, rows: 30, cols: 50 } }
    ]) {
      const direct = downsampleMatrix(matrix, layout.rows, layout.cols, options)
      const view = transposedView(stored, layout.rows, layout.cols, options)
      expect({ ...view, data: Array.from(view.data) }).toEqual({ ...direct, data: Array.from(direct.data) })
    }
  })

  it('serves conv kernels through their reshaped matrix', () => {
    const shape = [3, 3, 4, 6]
    const stored = values(3 * 3 * 4 * 6)
    const source = new WeightSource(weightMatrixLayout(shape), stored)
    const view = source.view({ maxRows: 100, maxCols: 100, mode: 'maxabs' }, null)
    expect(Array.from(view.data)).toEqual(Array.from(toWeightMatrix(stored, weightMatrixLayout(shape))))
  })
})

import { describe, expect, it } from 'vitest'
import { cellSourceRegion, downsampleMatrix } from '../../../../src-main/engine/analysis/core/downsample'
import { gaussian, rng } from './randomMatrices'

function randomData(rows: number, cols: number, seed: number): Float32Array {
  const g = gaussian(rng(seed))
  return Float32Array.from({ length: rows * cols }, () => g())
}

/** Reference: the values of one display cell, read through cellSourceRegion. */
function cellValues(data: Float32Array, cols: number, region: { row: number; col: number; rows: number; cols: number }): number[] {
  const out: number[] = []
  for (let r = region.row; r < region.row + region.rows; r++) for (let c = region.col; c < region.col + region.cols; c++) out.push(data[r * cols + c])
  return out
}

describe('downsampleMatrix', () => {
  const rows = 103
  const cols = 250
  const data = randomData(rows, cols, 9)

  for (const mode of ['maxabs', 'mean'] as const) {
    it(`pools with ${mode} and every cell maps back to its exact source block`, () => {
      const d = downsampleMatrix(data, rows, cols, { maxRows: 20, maxCols: 32, mode })
      expect([d.blockRows, d.blockCols]).toEqual([6, 8])
      expect([d.rows, d.cols]).toEqual([18, 32])
      expect(d.rows).toBeLessThanOrEqual(20)
      let covered = 0
      for (let r = 0; r < d.rows; r++)
        for (let c = 0; c < d.cols; c++) {
          const region = cellSourceRegion(d, r, c)
          const values = cellValues(data, cols, region)
          covered += values.length
          const expected =
            mode === 'mean'
              ? values.reduce((a, b) => a + b, 0) / values.length
              : values.reduce((best, v) => (Math.abs(v) > Math.abs(best) ? v : best), 0)
          expect(d.data[r * d.cols + c]).toBeCloseTo(expected, 5)
        }
      expect(covered).toBe(rows * cols)
      expect(d.min).toBe(Math.min(...data))
      expect(d.max).toBe(Math.max(...data))
    })
  }

  it('keeps the sign of the strongest weight in max-abs mode', () => {
    const m = Float32Array.from([0.1, -5, 0.2, 0.3, 4, 0, 0, 0])
    const d = downsampleMatrix(m, 2, 4, { maxRows: 1, maxCols: 2, mode: 'maxabs' })
    // Blocks are {0.1, −5, 4, 0} and {0.2, 0.3, 0, 0}.
    expect(Array.from(d.data)).toEqual([-5, Math.fround(0.3)])
    const mean = downsampleMatrix(m, 2, 4, { maxRows: 1, maxCols: 2, mode: 'mean' }).data
    expect(mean[0]).toBeCloseTo((0.1 - 5 + 4) / 4, 6)
    expect(mean[1]).toBeCloseTo(0.5 / 4, 6)
  })

  it('copies exactly when the matrix already fits, and zooms into a region', () => {
    const same = downsampleMatrix(data, rows, cols, { maxRows: 200, maxCols: 300 })
    expect([same.blockRows, same.blockCols]).toEqual([1, 1])
    expect(same.data.length).toBe(data.length)
    expect(same.data.every((v, i) => v === data[i])).toBe(true)
    const region = { row: 40, col: 100, rows: 10, cols: 7 }
    const zoom = downsampleMatrix(data, rows, cols, { maxRows: 64, maxCols: 64, region })
    expect([zoom.rows, zoom.cols, zoom.rowOffset, zoom.colOffset]).toEqual([10, 7, 40, 100])
    expect(zoom.data[3 * 7 + 2]).toBe(data[43 * cols + 102])
    expect(cellSourceRegion(zoom, 3, 2)).toEqual({ row: 43, col: 102, rows: 1, cols: 1 })
    const coarse = downsampleMatrix(data, rows, cols, { maxRows: 3, maxCols: 3, region })
    expect(cellSourceRegion(coarse, coarse.rows - 1, coarse.cols - 1)).toEqual({ row: 48, col: 106, rows: 2, cols: 1 })
  })

  it('reduces a 4096×4096 map to at most 512×512 cells', () => {
    const big = new Float32Array(4096 * 4096)
    big[4095 * 4096 + 4095] = -3
    const d = downsampleMatrix(big, 4096, 4096, { maxRows: 512, maxCols: 512 })
    expect([d.rows, d.cols, d.blockRows, d.blockCols]).toEqual([512, 512, 8, 8])
    expect(d.data[511 * 512 + 511]).toBe(-3)
    expect(cellSourceRegion(d, 511, 511)).toEqual({ row: 4088, col: 4088, rows: 8, cols: 8 })
  })

  it('rejects regions outside the matrix and mismatched data', () => {
    expect(() => downsampleMatrix(data, rows, cols, { maxRows: 5, maxCols: 5, region: { row: 100, col: 0, rows: 10, cols: 5 } })).toThrowError(/not inside the 103×250 matrix/)
    expect(() => downsampleMatrix(data, 10, 10, { maxRows: 5, maxCols: 5 })).toThrowError(/do not fill a 10×10 matrix/)
    expect(() => downsampleMatrix(data, rows, cols, { maxRows: 0, maxCols: 5 })).toThrowError(/at least 1×1/)
  })
})

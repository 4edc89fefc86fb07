import { describe, expect, it } from 'vitest'
import { toWeightMatrix, weightMatrixLayout, weightSourceFlatIndex, weightSourceIndex } from '../../../../src-main/engine/analysis/weights/weightMatrix'

const iota = (n: number) => Float32Array.from({ length: n }, (_, i) => i)

describe('weight matrix layout', () => {
  it('shows a conv kernel [kh, kw, in, out] as out × (in·kh·kw) and says so', () => {
    const layout = weightMatrixLayout([3, 3, 2, 4])
    expect(layout).toMatchObject({ kind: 'conv2d', rows: 4, cols: 18, rowMeaning: 'output channel' })
    expect(layout.description).toContain('4 rows = output channels')
    expect(layout.description).toContain('18 columns = 2 input channels × 3×3 kernel')
    const m = toWeightMatrix(iota(72), layout)
    // Row o, column (i·3 + y)·3 + x holds kernel[y][x][i][o], stored at ((y·3 + x)·2 + i)·4 + o.
    for (let o = 0; o < 4; o++)
      for (let i = 0; i < 2; i++)
        for (let y = 0; y < 3; y++)
          for (let x = 0; x < 3; x++) {
            const col = (i * 3 + y) * 3 + x
            expect(m[o * 18 + col]).toBe(((y * 3 + x) * 2 + i) * 4 + o)
            expect(weightSourceIndex(layout, o, col)).toEqual([y, x, i, o])
          }
  })

  it('transposes a dense kernel [in, out] so row o holds the weights into unit o', () => {
    const layout = weightMatrixLayout([300, 130])
    expect(layout).toMatchObject({ kind: 'dense', rows: 130, cols: 300 })
    const m = toWeightMatrix(iota(300 * 130), layout)
    for (const [o, i] of [[0, 0], [129, 299], [64, 65], [7, 200]]) {
      expect(m[o * 300 + i]).toBe(i * 130 + o)
      expect(weightSourceIndex(layout, o, i)).toEqual([i, o])
    }
  })

  it('maps every cell back to the stored weight for all ranks', () => {
    for (const shape of [[7], [5, 3], [4, 3, 6], [2, 3, 5, 4], [2, 2, 2, 3, 2]]) {
      const layout = weightMatrixLayout(shape)
      const size = shape.reduce((a, b) => a * b, 1)
      expect(layout.rows * layout.cols).toBe(size)
      const m = toWeightMatrix(iota(size), layout)
      const seen = new Set<number>()
      for (let r = 0; r < layout.rows; r++)
        for (let c = 0; c < layout.cols; c++) {
          const flat = weightSourceFlatIndex(layout, r, c)
          expect(m[r * layout.cols + c]).toBe(flat)
          seen.add(flat)
        }
      expect(seen.size).toBe(size)
    }
    expect(weightMatrixLayout([4, 3, 6]).description).toContain('6 rows = output channels; 12 columns = 3 input channels × 4 kernel taps')
    expect(weightMatrixLayout([7]).rows).toBe(1)
  })

  it('rejects bad shapes and out-of-range cells', () => {
    expect(() => weightMatrixLayout([])).toThrowError(/not a valid tensor shape/)
    expect(() => weightMatrixLayout([3, 0])).toThrowError(/not a valid tensor shape/)
    expect(() => toWeightMatrix(new Float32Array(5), weightMatrixLayout([2, 3]))).toThrowError(/5 weights do not match shape \[2, 3\]/)
    expect(() => weightSourceIndex(weightMatrixLayout([2, 3]), 3, 0)).toThrowError(/outside the 3×2 weight matrix/)
  })
})

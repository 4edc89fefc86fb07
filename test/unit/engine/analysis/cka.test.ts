import { describe, expect, it } from 'vitest'
import { ApiError } from '../../../../src-shared/errors'
import {
  MinibatchCka,
  batchRanges,
  ckaFromGrams,
  ckaMatrix,
  linearCka,
  linearCkaMinibatch,
  prepareGram,
  seededPermutation
} from '../../../../src-main/engine/analysis/cka/cka'
import { takeRows, type Matrix } from '../../../../src-main/engine/analysis/core/matrix'
import { matmul, randomMatrix, randomOrthogonal, relatedMatrix, scale } from './randomMatrices'

/** The definition, computed the slow obvious way: ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F) on centred data. */
function naiveCka(x: Matrix, y: Matrix): number {
  const centre = (m: Matrix): number[][] => {
    const rows = Array.from({ length: m.rows }, (_, r) => Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols)))
    const means = rows[0].map((_, c) => rows.reduce((s, row) => s + row[c], 0) / m.rows)
    return rows.map((row) => row.map((v, c) => v - means[c]))
  }
  const cross = (a: number[][], b: number[][]): number => {
    let s = 0
    for (let i = 0; i < a[0].length; i++) {
      for (let j = 0; j < b[0].length; j++) {
        let d = 0
        for (let r = 0; r < a.length; r++) d += a[r][i] * b[r][j]
        s += d * d
      }
    }
    return s
  }
  const cx = centre(x)
  const cy = centre(y)
  return cross(cy, cx) / Math.sqrt(cross(cx, cx) * cross(cy, cy))
}

const fromRows = (rows: number[][]): Matrix => ({ rows: rows.length, cols: rows[0].length, data: Float64Array.from(rows.flat()) })

// Small case whose values were computed independently with numpy (both the definition and
// Kornblith's debiased-Gram code agree on the unbiased value).
const X6 = fromRows([[1, 2], [3, 1], [0, 4], [2, 2], [5, 0], [1, 1]])
const Y6 = fromRows([[2, 0, 1], [1, 3, 0], [4, 1, 1], [0, 0, 2], [3, 3, 3], [1, 2, 0]])

// Shapes that exercise both code paths: n < p1 + p2 uses Gram matrices, n ≥ p1 + p2 features.
const shapes = [
  { name: 'Gram form (n < p)', n: 24, p1: 40, p2: 30 },
  { name: 'feature form (n > p)', n: 300, p1: 12, p2: 7 }
]

describe('linear CKA', () => {
  it('matches values computed with numpy', () => {
    expect(linearCka(X6, Y6)).toBeCloseTo(0.4010957584069292, 12)
    const mb = linearCkaMinibatch(X6, Y6, { batchSize: 6, shuffle: false })
    expect(mb.batches).toBe(1)
    expect(mb.cka).toBeCloseTo(-0.17488432582523872, 12)
  })

  it('is the squared Pearson correlation for single columns', () => {
    const x = randomMatrix(50, 1, 1)
    const y = relatedMatrix(x, 1, 0.5, 2)
    const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length
    const mx = mean(x.data)
    const my = mean(y.data)
    let sxy = 0
    let sxx = 0
    let syy = 0
    for (let i = 0; i < 50; i++) {
      sxy += (x.data[i] - mx) * (y.data[i] - my)
      sxx += (x.data[i] - mx) ** 2
      syy += (y.data[i] - my) ** 2
    }
    expect(linearCka(x, y)).toBeCloseTo((sxy * sxy) / (sxx * syy), 12)
  })

  for (const { name, n, p1, p2 } of shapes) {
    describe(name, () => {
      const x = randomMatrix(n, p1, 10, 2.5)
      const y = relatedMatrix(x, p2, 0.3, 11)
      const z = randomMatrix(n, p2, 12)

      it('agrees with the definition computed naively', () => {
        expect(linearCka(x, y)).toBeCloseTo(naiveCka(x, y), 10)
        expect(linearCka(x, z)).toBeCloseTo(naiveCka(x, z), 10)
      })

      it('gives CKA(X, X) = 1', () => {
        expect(linearCka(x, x)).toBeCloseTo(1, 12)
        expect(linearCka(y, y)).toBeCloseTo(1, 12)
      })

      it('is invariant to orthogonal transforms of either side', () => {
        const base = linearCka(x, y)
        const xq = matmul(x, randomOrthogonal(p1, 20))
        const yq = matmul(y, randomOrthogonal(p2, 21))
        expect(linearCka(xq, y)).toBeCloseTo(base, 10)
        expect(linearCka(x, yq)).toBeCloseTo(base, 10)
        expect(linearCka(xq, yq)).toBeCloseTo(base, 10)
        expect(linearCka(x, xq)).toBeCloseTo(1, 10)
      })

      it('is invariant to isotropic scaling of either side', () => {
        const base = linearCka(x, y)
        expect(linearCka(scale(x, 1e-3), y)).toBeCloseTo(base, 10)
        expect(linearCka(x, scale(y, 250))).toBeCloseTo(base, 10)
        expect(linearCka(scale(x, -4), scale(y, 0.01))).toBeCloseTo(base, 10)
      })

      it('ignores a constant offset of the features (it centres them) but not anisotropic scaling', () => {
        const base = linearCka(x, y)
        const shifted = { ...x, data: x.data.map((v, i) => v + 5 + (i % p1)) }
        expect(linearCka(shifted, y)).toBeCloseTo(base, 10)
        // Stretching one feature is not a rotation or isotropic scaling, so CKA moves.
        const stretched = { ...x, data: x.data.map((v, i) => (i % p1 === 0 ? v * 30 : v)) }
        expect(Math.abs(linearCka(stretched, y) - base)).toBeGreaterThan(1e-3)
      })

      it('is symmetric', () => {
        expect(linearCka(y, x)).toBeCloseTo(linearCka(x, y), 12)
        expect(linearCka(z, x)).toBeCloseTo(linearCka(x, z), 12)
      })

      it('stays between 0 and 1', () => {
        for (let seed = 0; seed < 8; seed++) {
          const a = randomMatrix(n, p1, 100 + seed)
          const b = seed % 2 ? randomMatrix(n, p2, 200 + seed) : relatedMatrix(a, p2, seed / 4, 300 + seed)
          const v = linearCka(a, b)
          expect(v).toBeGreaterThanOrEqual(0)
          expect(v).toBeLessThanOrEqual(1)
        }
      })
    })
  }

  it('accepts float32 data and gives the float64 answer', () => {
    const x = randomMatrix(40, 60, 5)
    const y = relatedMatrix(x, 20, 0.2, 6)
    const x32 = { ...x, data: Float32Array.from(x.data) }
    const y32 = { ...y, data: Float32Array.from(y.data) }
    expect(linearCka(x32, y32)).toBeCloseTo(linearCka(x, y), 5)
  })

  it('rejects differing row counts, too few rows and constant activations', () => {
    const x = randomMatrix(10, 3, 1)
    expect(() => linearCka(x, randomMatrix(11, 3, 2), ['a.npy', 'b.npy'])).toThrowError(/b\.npy has 11 rows but a\.npy has 10/)
    expect(() => linearCka(randomMatrix(1, 3, 1), randomMatrix(1, 3, 2))).toThrowError(/at least 2/)
    const constant: Matrix = { rows: 10, cols: 3, data: new Float64Array(30).fill(7) }
    expect(() => linearCka(x, constant)).toThrowError(ApiError)
    expect(() => linearCka(x, constant)).toThrowError(/identical for every example/)
  })
})

describe('layer × layer CKA matrix', () => {
  const layers = [randomMatrix(30, 50, 1), randomMatrix(30, 8, 2), randomMatrix(30, 70, 3)]
  layers.push(relatedMatrix(layers[0], 40, 0.1, 4))
  const other = [relatedMatrix(layers[1], 20, 0.5, 5), randomMatrix(30, 9, 6)]

  it('has a unit diagonal, is symmetric and matches pairwise CKA', () => {
    const m = ckaMatrix(layers)
    expect([m.rows, m.cols]).toEqual([4, 4])
    for (let i = 0; i < 4; i++) {
      expect(m.values[i * 4 + i]).toBeCloseTo(1, 12)
      for (let j = 0; j < 4; j++) {
        expect(m.values[i * 4 + j]).toBe(m.values[j * 4 + i])
        expect(m.values[i * 4 + j]).toBeCloseTo(linearCka(layers[i], layers[j]), 10)
      }
    }
  })

  it('compares the layers of two runs and reports progress once per Gram', () => {
    const progress: number[] = []
    const m = ckaMatrix(layers, other, (done, total) => progress.push(done / total))
    expect([m.rows, m.cols]).toEqual([4, 2])
    expect(progress).toEqual([1, 2, 3, 4, 5, 6].map((d) => d / 6))
    for (let i = 0; i < 4; i++) for (let j = 0; j < 2; j++) expect(m.values[i * 2 + j]).toBeCloseTo(linearCka(layers[i], other[j]), 10)
  })

  it('marks a constant layer NaN instead of failing the whole matrix', () => {
    const constant: Matrix = { rows: 30, cols: 4, data: new Float64Array(120) }
    const m = ckaMatrix([layers[0], constant])
    expect(m.values[0]).toBeCloseTo(1, 12)
    expect(Number.isNaN(m.values[1])).toBe(true)
    expect(Number.isNaN(m.values[3])).toBe(true)
  })

  it('reuses prepared Grams (e.g. the final epoch) across comparisons', () => {
    const final = prepareGram(layers[0])
    expect(ckaFromGrams(prepareGram(layers[3]), final)).toBeCloseTo(linearCka(layers[3], layers[0]), 12)
  })
})

describe('minibatch CKA with unbiased HSIC', () => {
  // Data that fits in memory: 2048 examples of a 32-wide layer and a related 24-wide one.
  const n = 2048
  const x = randomMatrix(n, 32, 40, 1)
  const y = relatedMatrix(x, 24, 0.8, 41)
  const full = linearCka(x, y)

  it('agrees with the full computation for large enough batches', () => {
    for (const batchSize of [128, 256, 512, 1024]) {
      const mb = linearCkaMinibatch(x, y, { batchSize })
      expect(Math.abs(mb.cka - full)).toBeLessThan(0.02)
    }
    // And for unrelated data both are near zero.
    const z = randomMatrix(n, 24, 42)
    expect(Math.abs(linearCkaMinibatch(x, z, { batchSize: 256 }).cka - linearCka(x, z))).toBeLessThan(0.02)
  })

  it('keeps CKA(X, X) = 1, symmetry and the invariances exactly', () => {
    expect(linearCkaMinibatch(x, x, { batchSize: 100 }).cka).toBeCloseTo(1, 12)
    const base = linearCkaMinibatch(x, y, { batchSize: 200 }).cka
    expect(linearCkaMinibatch(y, x, { batchSize: 200 }).cka).toBeCloseTo(base, 12)
    const xq = matmul(scale(x, 7), randomOrthogonal(32, 43))
    expect(linearCkaMinibatch(xq, scale(y, 0.1), { batchSize: 200 }).cka).toBeCloseTo(base, 10)
  })

  it('forms near-equal batches of at least the requested size from a repeatable shuffle', () => {
    expect(batchRanges(10, 4)).toEqual([[0, 5], [5, 10]])
    expect(batchRanges(2048, 300).every(([a, b]) => b - a >= 300 && b - a < 600)).toBe(true)
    expect(batchRanges(3, 8)).toEqual([[0, 3]])
    const p = seededPermutation(1000, 7)
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i))
    expect(seededPermutation(1000, 7)).toEqual(p)
    expect(seededPermutation(1000, 8)).not.toEqual(p)
    const r = linearCkaMinibatch(x, y, { batchSize: 300 })
    expect(r.batches).toBe(6)
    expect(r.batchSize).toBeGreaterThanOrEqual(300)
  })

  it('accumulates a layer × layer matrix over batches, each Gram once per batch', () => {
    const m = 1024
    const head = Uint32Array.from({ length: m }, (_, i) => i)
    const [xs, ys] = [takeRows(x, head), takeRows(y, head)]
    const layers = [xs, ys, randomMatrix(m, 16, 44)]
    const other = [relatedMatrix(xs, 10, 0.2, 45), ys]
    const self = new MinibatchCka(3)
    const cross = new MinibatchCka(3, 2)
    for (const [start, end] of batchRanges(m, 256)) {
      const idx = Uint32Array.from({ length: end - start }, (_, i) => start + i)
      self.add(layers.map((m) => takeRows(m, idx)))
      cross.add(
        layers.map((m) => takeRows(m, idx)),
        other.map((m) => takeRows(m, idx))
      )
    }
    expect(self.batches).toBe(4)
    const s = self.result()
    for (let i = 0; i < 3; i++) {
      expect(s.values[i * 3 + i]).toBeCloseTo(1, 12)
      for (let j = 0; j < 3; j++) {
        expect(s.values[i * 3 + j]).toBe(s.values[j * 3 + i])
        const pair = linearCkaMinibatch(layers[i], layers[j], { batchSize: 256, shuffle: false }).cka
        expect(s.values[i * 3 + j]).toBeCloseTo(pair, 10)
      }
    }
    const c = cross.result()
    expect(c.values[1 * 2 + 1]).toBeCloseTo(1, 12) // y against y
    expect(c.values[0]).toBeCloseTo(linearCkaMinibatch(xs, other[0], { batchSize: 256, shuffle: false }).cka, 10)
  })

  it('rejects batches too small for unbiased HSIC and mismatched inputs', () => {
    expect(() => linearCkaMinibatch(x, y, { batchSize: 3 })).toThrowError(/at least 4/)
    expect(() => linearCkaMinibatch(x, randomMatrix(100, 3, 1), { batchSize: 50 })).toThrowError(/rows/)
    const acc = new MinibatchCka(2)
    expect(() => acc.add([x])).toThrowError(/expected 2/)
    expect(Number.isNaN(acc.result().values[0])).toBe(true)
  })
})

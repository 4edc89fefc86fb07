import type { Matrix } from '../../../../src-main/engine/analysis/core/matrix'

/** Deterministic uniform [0, 1) generator (mulberry32), so failures reproduce. */
export function rng(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Standard normal samples (Box–Muller). */
export function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
}

export function randomMatrix(rows: number, cols: number, seed: number, offset = 0): Matrix {
  const g = gaussian(rng(seed))
  const data = new Float64Array(rows * cols)
  for (let i = 0; i < data.length; i++) data[i] = g() + offset
  return { rows, cols, data }
}

export function matmul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new Error(`cannot multiply ${a.rows}×${a.cols} by ${b.rows}×${b.cols}`)
  const out = new Float64Array(a.rows * b.cols)
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const v = a.data[i * a.cols + k]
      for (let j = 0; j < b.cols; j++) out[i * b.cols + j] += v * b.data[k * b.cols + j]
    }
  }
  return { rows: a.rows, cols: b.cols, data: out }
}

export function scale(m: Matrix, s: number): Matrix {
  return { rows: m.rows, cols: m.cols, data: m.data.map((v) => v * s) }
}

/** A random p×p orthogonal matrix: modified Gram–Schmidt on the columns of a Gaussian matrix. */
export function randomOrthogonal(p: number, seed: number): Matrix {
  const g = randomMatrix(p, p, seed)
  const q = new Float64Array(p * p)
  for (let j = 0; j < p; j++) {
    const v = new Float64Array(p)
    for (let i = 0; i < p; i++) v[i] = g.data[i * p + j]
    for (let k = 0; k < j; k++) {
      let dot = 0
      for (let i = 0; i < p; i++) dot += q[i * p + k] * v[i]
      for (let i = 0; i < p; i++) v[i] -= dot * q[i * p + k]
    }
    const norm = Math.hypot(...v)
    for (let i = 0; i < p; i++) q[i * p + j] = v[i] / norm
  }
  return { rows: p, cols: p, data: q }
}

/** Y = f(X) + noise: a nonlinear, partly related representation of the same examples. */
export function relatedMatrix(x: Matrix, cols: number, noise: number, seed: number): Matrix {
  const w = randomMatrix(x.cols, cols, seed)
  const y = matmul(x, w)
  const g = gaussian(rng(seed + 1))
  for (let i = 0; i < y.data.length; i++) y.data[i] = Math.tanh(y.data[i]) + noise * g()
  return y
}

/**
 * Linear centred kernel alignment (Kornblith et al. 2019) between activation matrices whose
 * rows are the same examples:  CKA = ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F)  on column-centred X, Y.
 *
 * Two exact forms of the same number are used, whichever is cheaper for the shapes:
 *   Gram form    ⟨Kc, Lc⟩_F / (‖Kc‖_F ‖Lc‖_F), Kc = XcXcᵀ (n×n)   — cost ≈ n²(p1+p2)/2
 *   feature form ‖YcᵀXc‖²_F / (‖XcᵀXc‖_F ‖YcᵀYc‖_F)                 — cost ≈ n(p1+p2)²/2
 * and, for data too large for one n×n Gram, the minibatch estimator of Nguyen, Raghu &
 * Kornblith 2021, which averages unbiased HSIC (Song et al. 2012) over minibatches.
 */
import { ApiError } from '../../../../src-shared/errors'
import { matrixIntervals, mulberry32, resamples } from '../core/bootstrap'
import { centredGram, columnMeans, takeRows, type Matrix } from '../core/matrix'

/** A layer's centred Gram matrix with its Frobenius norm, computed once and reused per pair. */
export interface PreparedGram {
  n: number
  gram: Float64Array
  norm: number
}

/** Row-major layer × layer CKA values: row i is layer i of A, column j is layer j of B. */
export interface CkaMatrix {
  rows: number
  cols: number
  /** NaN where a layer's activations are constant over the examples (CKA undefined). */
  values: Float64Array
}

export interface MinibatchCkaResult {
  cka: number
  batchSize: number
  batches: number
  /** 95 % percentile interval from resampling the batches; null with a single batch. */
  interval: { low: number; high: number; replicates: number } | null
}

// Past this many examples one n×n float64 Gram per layer costs more than 0.5 GB.
const MAX_FULL_EXAMPLES = 8192

function frobeniusDot(a: Float64Array, b: Float64Array): number {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i] * b[i]
  return s
}

function checkExamples(ms: Matrix[], names: string[], minRows: number): number {
  const n = ms[0].rows
  ms.forEach((m, i) => {
    if (m.rows !== n) {
      throw new ApiError(
        'bad_input',
        `${names[i]} has ${m.rows} rows but ${names[0]} has ${n}; rows are examples, so both must hold the same examples in the same order`
      )
    }
    if (m.cols < 1) throw new ApiError('bad_input', `${names[i]} has no features (0 columns)`)
  })
  if (n < minRows) throw new ApiError('bad_input', `${names[0]} has ${n} rows (examples); CKA needs at least ${minRows}`)
  return n
}

// CKA is mathematically within [0, 1] (Cauchy–Schwarz, and ⟨Kc, Lc⟩ ≥ 0 for PSD matrices);
// clamping only removes float rounding such as 1.0000000000000002 for CKA(X, X).
const clampUnit = (v: number): number => (Number.isNaN(v) ? v : Math.min(1, Math.max(0, v)))

export function prepareGram(m: Matrix): PreparedGram {
  if (m.rows > MAX_FULL_EXAMPLES) {
    throw new ApiError('bad_input', `${m.rows} examples is too many for the full CKA (limit ${MAX_FULL_EXAMPLES}); use the minibatch estimator (--batch N in the CLI)`)
  }
  const gram = centredGram(m)
  return { n: m.rows, gram, norm: Math.sqrt(frobeniusDot(gram, gram)) }
}

/** CKA from two prepared Grams of the same examples; NaN if either side is constant. */
export function ckaFromGrams(a: PreparedGram, b: PreparedGram): number {
  if (a.n !== b.n) throw new ApiError('bad_input', `Gram matrices cover ${a.n} and ${b.n} examples; they must cover the same examples`)
  if (a.norm === 0 || b.norm === 0) return NaN
  return clampUnit(frobeniusDot(a.gram, b.gram) / (a.norm * b.norm))
}

function featureFormCka(x: Matrix, y: Matrix): number {
  const n = x.rows
  const p1 = x.cols
  const p2 = y.cols
  const mx = columnMeans(x)
  const my = columnMeans(y)
  const cx = new Float64Array(p1)
  const cy = new Float64Array(p2)
  // Lower triangles of XᵀX and YᵀY; full YᵀX.
  const xx = new Float64Array(p1 * p1)
  const yy = new Float64Array(p2 * p2)
  const yx = new Float64Array(p2 * p1)
  for (let r = 0; r < n; r++) {
    for (let a = 0; a < p1; a++) cx[a] = x.data[r * p1 + a] - mx[a]
    for (let a = 0; a < p2; a++) cy[a] = y.data[r * p2 + a] - my[a]
    for (let a = 0; a < p1; a++) {
      const v = cx[a]
      if (v === 0) continue
      const row = a * p1
      for (let b = 0; b <= a; b++) xx[row + b] += v * cx[b]
    }
    for (let a = 0; a < p2; a++) {
      const v = cy[a]
      if (v === 0) continue
      const rowY = a * p2
      for (let b = 0; b <= a; b++) yy[rowY + b] += v * cy[b]
      const rowX = a * p1
      for (let b = 0; b < p1; b++) yx[rowX + b] += v * cx[b]
    }
  }
  const symmetricNorm = (m: Float64Array, p: number): number => {
    let s = 0
    for (let a = 0; a < p; a++) {
      s += m[a * p + a] ** 2
      for (let b = 0; b < a; b++) s += 2 * m[a * p + b] ** 2
    }
    return Math.sqrt(s)
  }
  const nx = symmetricNorm(xx, p1)
  const ny = symmetricNorm(yy, p2)
  if (nx === 0 || ny === 0) return NaN
  return clampUnit(frobeniusDot(yx, yx) / (nx * ny))
}

/**
 * Linear CKA between X (n×p1) and Y (n×p2), exact, in whichever form is cheaper.
 * Throws bad_input when the row counts differ, there are fewer than 2 examples, or a side is
 * constant over the examples.
 */
export function linearCka(x: Matrix, y: Matrix, names: [string, string] = ['X', 'Y']): number {
  checkExamples([x, y], names, 2)
  const n = x.rows
  const value = n < x.cols + y.cols ? ckaFromGrams(prepareGram(x), prepareGram(y)) : featureFormCka(x, y)
  if (Number.isNaN(value)) {
    throw new ApiError('bad_input', `CKA is undefined: the activations in ${names[0]} or ${names[1]} are identical for every example`)
  }
  return value
}

/**
 * Layer × layer CKA of A's layers against B's (or A against itself when b is omitted). Each
 * layer's Gram is computed once. onProgress(done, total) is called after each Gram; it may
 * throw to cancel.
 */
export function ckaMatrix(a: Matrix[], b?: Matrix[], onProgress?: (done: number, total: number) => void): CkaMatrix {
  if (a.length === 0 || (b && b.length === 0)) throw new ApiError('bad_input', 'CKA matrix needs at least one layer on each side')
  const all = b ? [...a, ...b] : a
  checkExamples(all, all.map((_, i) => (i < a.length ? `layer ${i} of A` : `layer ${i - a.length} of B`)), 2)
  const total = all.length
  let done = 0
  const prepare = (m: Matrix): PreparedGram => {
    const g = prepareGram(m)
    onProgress?.(++done, total)
    return g
  }
  const ga = a.map(prepare)
  const gb = b ? b.map(prepare) : ga
  const rows = ga.length
  const cols = gb.length
  const values = new Float64Array(rows * cols)
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (!b && j < i) values[i * cols + j] = values[j * cols + i]
      else values[i * cols + j] = ckaFromGrams(ga[i], gb[j])
    }
  }
  return { rows, cols, values }
}

// ---------------------------------------------------------------------------------------------
// Minibatch CKA with unbiased HSIC (Nguyen, Raghu & Kornblith 2021)

/** A minibatch Gram with the zero-diagonal row sums that unbiased HSIC needs. */
interface UnbiasedGram {
  n: number
  gram: Float64Array
  rowSums: Float64Array
  total: number
}

function prepareUnbiased(m: Matrix): UnbiasedGram {
  // Centring is not required by the estimator (it is invariant to it) but keeps values small.
  const n = m.rows
  const gram = centredGram(m)
  const rowSums = new Float64Array(n)
  let total = 0
  for (let i = 0; i < n; i++) {
    let s = 0
    for (let j = 0; j < n; j++) if (j !== i) s += gram[i * n + j]
    rowSums[i] = s
    total += s
  }
  return { n, gram, rowSums, total }
}

/**
 * Unbiased HSIC (Song et al. 2012) with K̃, L̃ the Grams with zeroed diagonals:
 * [tr(K̃L̃) + (1ᵀK̃1)(1ᵀL̃1)/((n−1)(n−2)) − 2/(n−2)·1ᵀK̃L̃1] / (n(n−3)).
 */
function unbiasedHsic(k: UnbiasedGram, l: UnbiasedGram): number {
  const n = k.n
  let trace = 0
  for (let i = 0; i < n; i++) {
    const row = i * n
    for (let j = 0; j < n; j++) if (j !== i) trace += k.gram[row + j] * l.gram[row + j]
  }
  const cross = frobeniusDot(k.rowSums, l.rowSums)
  return (trace + (k.total * l.total) / ((n - 1) * (n - 2)) - (2 / (n - 2)) * cross) / (n * (n - 3))
}

/**
 * Accumulates unbiased HSIC over minibatches for every (layer of A, layer of B) pair, then
 * combines them as CKA = Σ HSIC(K,L) / √(Σ HSIC(K,K) · Σ HSIC(L,L)). Feed each minibatch's
 * activations for all layers; each layer's Gram is computed once per batch. Memory is
 * O(layers · batch²), independent of the total number of examples.
 */
export class MinibatchCka {
  private readonly cross: Float64Array
  private readonly selfA: Float64Array
  private readonly selfB: Float64Array
  /** Each batch's own HSIC terms, so the examples can be resampled batch by batch for an interval. */
  private readonly terms: { cross: Float64Array; selfA: Float64Array; selfB: Float64Array }[] = []

  /** layersB null: compare A's layers with themselves (a symmetric matrix). */
  constructor(
    readonly layersA: number,
    readonly layersB: number | null = null
  ) {
    this.cross = new Float64Array(layersA * (layersB ?? layersA))
    this.selfA = new Float64Array(layersA)
    this.selfB = new Float64Array(layersB ?? layersA)
  }

  get batches(): number {
    return this.terms.length
  }

  add(a: Matrix[], b?: Matrix[]): void {
    const self = this.layersB === null
    if (a.length !== this.layersA || (!self && b?.length !== this.layersB) || (self && b)) {
      throw new ApiError('bad_input', `minibatch has ${a.length}${b ? `+${b.length}` : ''} layers; expected ${this.layersA}${self ? '' : `+${this.layersB}`}`)
    }
    const all = b ? [...a, ...b] : a
    checkExamples(all, all.map((_, i) => `minibatch layer ${i}`), 4)
    const ga = a.map(prepareUnbiased)
    const gb = b ? b.map(prepareUnbiased) : ga
    const cols = gb.length
    const hA = Float64Array.from(ga, (g) => unbiasedHsic(g, g))
    const hB = self ? hA : Float64Array.from(gb, (g) => unbiasedHsic(g, g))
    const cross = new Float64Array(this.cross.length)
    for (let i = 0; i < ga.length; i++) {
      for (let j = self ? i : 0; j < cols; j++) cross[i * cols + j] = self && j === i ? hA[i] : unbiasedHsic(ga[i], gb[j])
    }
    this.terms.push({ cross, selfA: hA, selfB: hB })
    addInto(this.cross, cross)
    addInto(this.selfA, hA)
    addInto(this.selfB, hB)
  }

  /** The combined CKA matrix; NaN where a layer's summed self-HSIC is not positive. */
  result(): CkaMatrix {
    return this.combine(this.cross, this.selfA, this.selfB, this.terms.length)
  }

  /**
   * Percentile bootstrap intervals of every value of the matrix, resampling the batches (and so
   * the examples, a batch at a time); null with fewer than 2 batches.
   */
  intervals(options: { replicates: number; seed: number; level: number }): { low: Float64Array; high: Float64Array } | null {
    const k = this.terms.length
    if (k < 2) return null
    const size = this.cross.length
    const draws = resamples(k, options.replicates, options.seed).map((idx) => {
      const sum = (pick: (t: (typeof this.terms)[number]) => Float64Array, length: number): Float64Array => {
        const out = new Float64Array(length)
        for (const b of idx) addInto(out, pick(this.terms[b]))
        return out
      }
      return this.combine(sum((t) => t.cross, size), sum((t) => t.selfA, this.selfA.length), sum((t) => t.selfB, this.selfB.length), k).values
    })
    return matrixIntervals(draws, size, options.level)
  }

  private combine(crossSum: Float64Array, selfA: Float64Array, selfB: Float64Array, count: number): CkaMatrix {
    const rows = this.layersA
    const cols = this.layersB ?? this.layersA
    const values = new Float64Array(rows * cols)
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const k = this.layersB === null && j < i ? j * cols + i : i * cols + j
        const denom = selfA[i] * selfB[j]
        // Unbiased HSIC is an inner product of U-centred Grams (Székely & Rizzo 2014), so the
        // ratio lies in [−1, 1]; clamping removes only rounding. Small batches can give < 0.
        const v = crossSum[k] / Math.sqrt(denom)
        values[i * cols + j] = count > 0 && selfA[i] > 0 && selfB[j] > 0 ? Math.min(1, Math.max(-1, v)) : NaN
      }
    }
    return { rows, cols, values }
  }
}

function addInto(target: Float64Array, values: Float64Array): void {
  for (let i = 0; i < values.length; i++) target[i] += values[i]
}

/** Splits n examples into ⌊n/batchSize⌋ near-equal batches, so none is smaller than batchSize. */
export function batchRanges(n: number, batchSize: number): Array<[number, number]> {
  const k = Math.max(1, Math.floor(n / batchSize))
  return Array.from({ length: k }, (_, i) => [Math.floor((i * n) / k), Math.floor(((i + 1) * n) / k)] as [number, number])
}

/** A reproducible shuffle (mulberry32 + Fisher–Yates) so minibatches are random but repeatable. */
export function seededPermutation(n: number, seed: number): Uint32Array {
  const next = mulberry32(seed)
  const perm = new Uint32Array(n)
  for (let i = 0; i < n; i++) perm[i] = i
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    const t = perm[i]
    perm[i] = perm[j]
    perm[j] = t
  }
  return perm
}

/**
 * Minibatch linear CKA of two in-memory matrices. Rows are shuffled with `seed` (unless
 * shuffle is false) so sorted data still gives representative batches.
 */
export function linearCkaMinibatch(
  x: Matrix,
  y: Matrix,
  options: { batchSize: number; shuffle?: boolean; seed?: number; names?: [string, string] }
): MinibatchCkaResult {
  const names = options.names ?? ['X', 'Y']
  const n = checkExamples([x, y], names, 4)
  if (!Number.isInteger(options.batchSize) || options.batchSize < 4) {
    throw new ApiError('bad_input', `batch size must be a whole number of at least 4 (unbiased HSIC needs n > 3), got ${options.batchSize}`)
  }
  const order = options.shuffle === false ? null : seededPermutation(n, options.seed ?? 0)
  const ranges = batchRanges(n, Math.min(options.batchSize, n))
  const acc = new MinibatchCka(1, 1)
  for (const [start, end] of ranges) {
    const idx = order ? order.subarray(start, end) : Uint32Array.from({ length: end - start }, (_, i) => start + i)
    acc.add([takeRows(x, idx)], [takeRows(y, idx)])
  }
  const cka = acc.result().values[0]
  if (Number.isNaN(cka)) {
    throw new ApiError(
      'bad_input',
      `minibatch CKA is undefined for ${names[0]} and ${names[1]}: the activations are constant or the batches (${ranges[0][1] - ranges[0][0]} rows) are too small; use a larger batch`
    )
  }
  const replicates = 200
  const ci = acc.intervals({ replicates, seed: options.seed ?? 0, level: 0.95 })
  return { cka, batchSize: ranges[0][1] - ranges[0][0], batches: ranges.length, interval: ci ? { low: ci.low[0], high: ci.high[0], replicates } : null }
}

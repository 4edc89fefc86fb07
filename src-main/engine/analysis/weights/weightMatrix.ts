/**
 * Shows any weight tensor as a 2-D matrix with one row per output unit or channel, and says
 * exactly how it was reshaped, so a cell in a weight map maps back to one stored weight.
 * Shapes follow tfjs: dense [in, out], conv1d [k, in, out], conv2d [kh, kw, in, out].
 */
import { ApiError } from '../../../../src-shared/errors'
import type { FloatArray } from '../core/matrix'

export type WeightLayoutKind = 'vector' | 'dense' | 'conv1d' | 'conv2d' | 'generic'

export interface WeightMatrixLayout {
  kind: WeightLayoutKind
  /** The stored tensor's shape. */
  shape: number[]
  rows: number
  cols: number
  /** What a row and a column are, e.g. "output channel" and "input channel × kernel row × kernel column". */
  rowMeaning: string
  colMeaning: string
  /** One sentence for the UI, e.g. "64 rows = output channels; 27 columns = 3 input channels × 3×3 kernel …". */
  description: string
}

export function weightMatrixLayout(shape: number[]): WeightMatrixLayout {
  if (shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new ApiError('bad_input', `weight shape [${shape.join(', ')}] is not a valid tensor shape`)
  }
  const base = { shape: [...shape] }
  if (shape.length === 1) {
    const [n] = shape
    return { ...base, kind: 'vector', rows: 1, cols: n, rowMeaning: 'layer', colMeaning: 'unit', description: `1 row of ${n} values (a bias or scale vector)` }
  }
  if (shape.length === 2) {
    const [inputs, units] = shape
    return {
      ...base,
      kind: 'dense',
      rows: units,
      cols: inputs,
      rowMeaning: 'output unit',
      colMeaning: 'input',
      description: `${units} rows = output units; ${inputs} columns = inputs (the stored [in, out] kernel transposed, so row o is the weights into unit o)`
    }
  }
  if (shape.length === 3) {
    const [k, inputs, out] = shape
    return {
      ...base,
      kind: 'conv1d',
      rows: out,
      cols: inputs * k,
      rowMeaning: 'output channel',
      colMeaning: 'input channel × kernel tap',
      description: `${out} rows = output channels; ${inputs * k} columns = ${inputs} input channels × ${k} kernel taps (column = in·${k} + tap)`
    }
  }
  if (shape.length === 4) {
    const [kh, kw, inputs, out] = shape
    return {
      ...base,
      kind: 'conv2d',
      rows: out,
      cols: inputs * kh * kw,
      rowMeaning: 'output channel',
      colMeaning: 'input channel × kernel row × kernel column',
      description: `${out} rows = output channels; ${inputs * kh * kw} columns = ${inputs} input channels × ${kh}×${kw} kernel, each input channel a block of ${kh * kw} (column = (in·${kh} + y)·${kw} + x)`
    }
  }
  const out = shape[shape.length - 1]
  const rest = shape.slice(0, -1)
  const cols = rest.reduce((a, b) => a * b, 1)
  return {
    ...base,
    kind: 'generic',
    rows: out,
    cols,
    rowMeaning: 'output channel (last axis)',
    colMeaning: `flattened [${rest.join(', ')}]`,
    description: `${out} rows = the last axis; ${cols} columns = the leading axes [${rest.join(', ')}] flattened in C order`
  }
}

/** Column in the matrix of the s-th leading-axes position (C order over all axes but the last). */
function columnOf(layout: WeightMatrixLayout): Int32Array | null {
  const { kind, shape } = layout
  if (kind === 'conv1d') {
    const [k, inputs] = shape
    const map = new Int32Array(k * inputs)
    for (let t = 0; t < k; t++) for (let i = 0; i < inputs; i++) map[t * inputs + i] = i * k + t
    return map
  }
  if (kind === 'conv2d') {
    const [kh, kw, inputs] = shape
    const map = new Int32Array(kh * kw * inputs)
    for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < inputs; i++) map[(y * kw + x) * inputs + i] = (i * kh + y) * kw + x
    return map
  }
  return null
}

/**
 * Rearranges stored weights into the layout's matrix (row-major rows × cols, float32). Every
 * non-vector layout is a transpose of [leading, out] with a column permutation; it runs in
 * 64×64 tiles so a 4096×4096 kernel transposes without thrashing the cache.
 */
export function toWeightMatrix(data: FloatArray, layout: WeightMatrixLayout): Float32Array {
  const { rows, cols } = layout
  if (data.length !== rows * cols) {
    throw new ApiError('bad_input', `${data.length} weights do not match shape [${layout.shape.join(', ')}] (${rows * cols} expected)`)
  }
  if (layout.kind === 'vector') return Float32Array.from(data)
  const out = new Float32Array(rows * cols)
  const colOf = columnOf(layout)
  const T = 64
  // Source is [cols (leading positions s), rows (outputs o)] row-major.
  for (let s0 = 0; s0 < cols; s0 += T) {
    const s1 = Math.min(cols, s0 + T)
    for (let o0 = 0; o0 < rows; o0 += T) {
      const o1 = Math.min(rows, o0 + T)
      for (let s = s0; s < s1; s++) {
        const c = colOf ? colOf[s] : s
        const src = s * rows
        for (let o = o0; o < o1; o++) out[o * cols + c] = data[src + o]
      }
    }
  }
  return out
}

/** Coordinates in the stored tensor (one per axis of layout.shape) of matrix cell (row, col). */
export function weightSourceIndex(layout: WeightMatrixLayout, row: number, col: number): number[] {
  if (!(row >= 0 && row < layout.rows && col >= 0 && col < layout.cols && Number.isInteger(row) && Number.isInteger(col))) {
    throw new ApiError('bad_input', `cell (${row}, ${col}) is outside the ${layout.rows}×${layout.cols} weight matrix`)
  }
  const { kind, shape } = layout
  if (kind === 'vector') return [col]
  if (kind === 'dense') return [col, row]
  if (kind === 'conv1d') {
    const k = shape[0]
    return [col % k, Math.floor(col / k), row]
  }
  if (kind === 'conv2d') {
    const [kh, kw] = shape
    const x = col % kw
    const y = Math.floor(col / kw) % kh
    return [y, x, Math.floor(col / (kh * kw)), row]
  }
  const coords: number[] = []
  let rest = col
  for (let axis = shape.length - 2; axis >= 0; axis--) {
    coords.unshift(rest % shape[axis])
    rest = Math.floor(rest / shape[axis])
  }
  return [...coords, row]
}

/** Row-major flat index in the stored tensor of matrix cell (row, col). */
export function weightSourceFlatIndex(layout: WeightMatrixLayout, row: number, col: number): number {
  const coords = weightSourceIndex(layout, row, col)
  return coords.reduce((flat, c, axis) => flat * layout.shape[axis] + c, 0)
}

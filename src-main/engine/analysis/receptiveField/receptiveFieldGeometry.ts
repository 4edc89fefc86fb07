import type { AxisField } from '../../../../src-shared/architecture'

/** One axis of a sliding-window layer (convolution or pooling). */
export interface WindowAxis {
  kernel: number
  stride: number
  dilation: number
  padding: 'valid' | 'same'
}

export interface WindowResult {
  /** Output length: ⌊(n + p_before + p_after − k̂)/s⌋ + 1. */
  size: number
  before: number
  after: number
}

/** The span a dilated kernel covers: k̂ = d(k − 1) + 1. */
export function effectiveKernel(kernel: number, dilation: number): number {
  return dilation * (kernel - 1) + 1
}

/** Output length for explicit padding; below 1 means the window does not fit. */
export function outputLength(n: number, kernel: number, stride: number, padBefore: number, padAfter: number, dilation = 1): number {
  return Math.floor((n + padBefore + padAfter - effectiveKernel(kernel, dilation)) / stride) + 1
}

/**
 * Output length and the padding actually applied, with TensorFlow's rules: 'same' gives
 * ⌈n/s⌉ outputs and pads the total needed for that, the odd pixel going after (bottom/right).
 * That asymmetry shifts the first field's centre, so it matters for `start`.
 */
export function windowGeometry(n: number, axis: WindowAxis): WindowResult {
  const k = effectiveKernel(axis.kernel, axis.dilation)
  if (axis.padding === 'valid') return { size: outputLength(n, axis.kernel, axis.stride, 0, 0, axis.dilation), before: 0, after: 0 }
  const size = Math.ceil(n / axis.stride)
  const total = Math.max((size - 1) * axis.stride + k - n, 0)
  const before = Math.floor(total / 2)
  return { size, before, after: total - before }
}

export const inputField: AxisField = { size: 1, jump: 1, start: 0 }

/**
 * Field after a window layer, in input pixels (Dang-Ha 2017; Araujo et al. 2019):
 * r' = r + (k̂ − 1)·j,  j' = j·s,  start' = start + ((k̂ − 1)/2 − p_before)·j.
 */
export function windowField(field: AxisField, axis: WindowAxis, padBefore: number): AxisField {
  const k = effectiveKernel(axis.kernel, axis.dilation)
  return {
    size: field.size + (k - 1) * field.jump,
    jump: field.jump * axis.stride,
    start: field.start + ((k - 1) / 2 - padBefore) * field.jump
  }
}

/** Explicit padding (positive) or cropping (negative) before the first pixel moves the grid. */
export function shiftField(field: AxisField, addedBefore: number): AxisField {
  return { ...field, start: field.start - addedBefore * field.jump }
}

/**
 * Where paths merge, an output unit sees the union of what each path's unit sees, so the field
 * is the span from the leftmost to the rightmost edge; this is the "largest field over paths".
 */
export function unionField(fields: AxisField[]): { field: AxisField; jumpsAgree: boolean } {
  const lo = Math.min(...fields.map((f) => f.start - (f.size - 1) / 2))
  const hi = Math.max(...fields.map((f) => f.start + (f.size - 1) / 2))
  const jumps = fields.map((f) => f.jump)
  return {
    field: { size: hi - lo + 1, jump: Math.max(...jumps), start: (lo + hi) / 2 },
    jumpsAgree: jumps.every((j) => j === jumps[0])
  }
}

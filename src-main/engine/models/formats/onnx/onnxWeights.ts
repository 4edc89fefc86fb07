/**
 * ONNX (PyTorch) weight layouts to tfjs ones: convolution kernels from [out, in/group, kh, kw]
 * (NCHW) to [kh, kw, in, out] (NHWC), and the geometry of padded windows.
 */

/** Conv kernel [M, C, kh, kw] -> Conv2D kernel [kh, kw, C, M]. */
export function convKernel(w: Float32Array, [m, c, kh, kw]: number[]): Float32Array {
  const out = new Float32Array(w.length)
  for (let o = 0; o < m; o++)
    for (let i = 0; i < c; i++)
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) out[((y * kw + x) * c + i) * m + o] = w[((o * c + i) * kh + y) * kw + x]
  return out
}

/** Depthwise kernel [C·mult, 1, kh, kw] -> DepthwiseConv2D kernel [kh, kw, C, mult]. */
export function depthwiseKernel(w: Float32Array, [m, , kh, kw]: number[], channels: number): Float32Array {
  const mult = m / channels
  const out = new Float32Array(w.length)
  for (let c = 0; c < channels; c++)
    for (let q = 0; q < mult; q++)
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) out[((y * kw + x) * channels + c) * mult + q] = w[((c * mult + q) * kh + y) * kw + x]
  return out
}

/**
 * Grouped kernel [M, C/G, kh, kw] -> one Conv2D kernel [kh, kw, C, M] that is block-diagonal:
 * output channel o reads only its group's inputs, as in the grouped convolution.
 */
export function groupedKernel(w: Float32Array, [m, cg, kh, kw]: number[], groups: number): Float32Array {
  const c = cg * groups
  const perGroup = m / groups
  const out = new Float32Array(kh * kw * c * m)
  for (let o = 0; o < m; o++) {
    const g = Math.floor(o / perGroup)
    for (let i = 0; i < cg; i++)
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) out[((y * kw + x) * c + g * cg + i) * m + o] = w[((o * cg + i) * kh + y) * kw + x]
  }
  return out
}

/** ConvTranspose kernel [C, M, kh, kw] -> Conv2DTranspose kernel [kh, kw, M, C]. */
export function transposeConvKernel(w: Float32Array, [c, m, kh, kw]: number[]): Float32Array {
  const out = new Float32Array(w.length)
  for (let i = 0; i < c; i++)
    for (let o = 0; o < m; o++)
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) out[((y * kw + x) * m + o) * c + i] = w[((i * m + o) * kh + y) * kw + x]
  return out
}

/** Matrix [rows, cols] transposed. */
export function transpose2d(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length)
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c]
  return out
}

export interface Window {
  kernel: [number, number]
  strides: [number, number]
  dilations: [number, number]
  /** [top, left, bottom, right], as ONNX orders them. */
  pads: [number, number, number, number]
}

/** Output side of a window over `size` pixels with the given padding. */
export function windowOutput(size: number, kernel: number, stride: number, dilation: number, before: number, after: number, ceil = false): number {
  const span = (kernel - 1) * dilation + 1
  const steps = (size + before + after - span) / stride
  return (ceil ? Math.ceil(steps) : Math.floor(steps)) + 1
}

/** TensorFlow's 'same' padding for a side: the pads before and after it adds. */
export function samePads(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(size / stride)
  const total = Math.max(0, (out - 1) * stride + (kernel - 1) * dilation + 1 - size)
  return [Math.floor(total / 2), total - Math.floor(total / 2)]
}

/** Whether the ONNX pads are exactly what tfjs's 'same' padding adds for this input. */
export function padsAreSame(window: Window, height: number, width: number): boolean {
  const [t, b] = samePads(height, window.kernel[0], window.strides[0], window.dilations[0])
  const [l, r] = samePads(width, window.kernel[1], window.strides[1], window.dilations[1])
  const [pt, pl, pb, pr] = window.pads
  return t === pt && b === pb && l === pl && r === pr
}

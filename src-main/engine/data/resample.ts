/**
 * Colour conversion and resampling of decoded 8-bit pixels into the model's float input.
 * Done here rather than in sharp because for small images (MNIST, CelebA crops, thumbnails of
 * a few dozen pixels) sharp's per-call pipeline setup costs several times the decode itself.
 */

export interface Crop {
  x: number
  y: number
  width: number
  height: number
}

/** The centred crop of a w×h image that has the target's aspect ratio (for fit "cover"). */
export function coverCrop(width: number, height: number, targetWidth: number, targetHeight: number): Crop {
  const scale = Math.max(targetWidth / width, targetHeight / height)
  const cw = Math.min(width, Math.round(targetWidth / scale))
  const ch = Math.min(height, Math.round(targetHeight / scale))
  return { x: Math.floor((width - cw) / 2), y: Math.floor((height - ch) / 2), width: cw, height: ch }
}

/**
 * Writes `crop` of the 8-bit interleaved `src` (srcChannels 1–4, alpha last) into `dst` at
 * `offset` as dstWidth×dstHeight×dstChannels floats in 0..1. Alpha is composited over black;
 * RGB→grey uses Rec. 601 luma, grey→RGB repeats the value.
 */
export function convertInto(
  src: Uint8Array,
  srcWidth: number,
  srcChannels: number,
  crop: Crop,
  dst: Float32Array,
  offset: number,
  dstWidth: number,
  dstHeight: number,
  dstChannels: 1 | 3
): void {
  const colour = toChannels(src, srcWidth, srcChannels, crop, dstChannels)
  if (crop.width === dstWidth && crop.height === dstHeight) {
    dst.set(colour, offset)
    return
  }
  const horizontal = resampleAxis(colour, crop.width, crop.height, dstChannels, dstWidth, true)
  const vertical = resampleAxis(horizontal, dstWidth, crop.height, dstChannels, dstHeight, false)
  dst.set(vertical, offset)
}

function toChannels(src: Uint8Array, srcWidth: number, srcChannels: number, crop: Crop, dstChannels: 1 | 3): Float32Array {
  const out = new Float32Array(crop.width * crop.height * dstChannels)
  const hasAlpha = srcChannels === 2 || srcChannels === 4
  const colourIn = srcChannels >= 3
  let o = 0
  for (let y = 0; y < crop.height; y++) {
    let i = ((crop.y + y) * srcWidth + crop.x) * srcChannels
    for (let x = 0; x < crop.width; x++, i += srcChannels) {
      const a = hasAlpha ? src[i + srcChannels - 1] / 255 : 1
      if (colourIn) {
        const r = src[i] * a
        const g = src[i + 1] * a
        const b = src[i + 2] * a
        if (dstChannels === 3) {
          out[o++] = r / 255
          out[o++] = g / 255
          out[o++] = b / 255
        } else out[o++] = (0.299 * r + 0.587 * g + 0.114 * b) / 255
      } else {
        const v = (src[i] * a) / 255
        out[o++] = v
        if (dstChannels === 3) {
          out[o++] = v
          out[o++] = v
        }
      }
    }
  }
  return out
}

interface AxisWeights {
  start: Int32Array
  length: Int32Array
  weights: Float32Array
  taps: number
}

/** Triangle filter widened by the shrink factor: bilinear when enlarging, area-like when shrinking. */
function axisWeights(srcSize: number, dstSize: number): AxisWeights {
  const scale = srcSize / dstSize
  const support = Math.max(scale, 1)
  const taps = Math.ceil(support) * 2 + 1
  const start = new Int32Array(dstSize)
  const length = new Int32Array(dstSize)
  const weights = new Float32Array(dstSize * taps)
  for (let d = 0; d < dstSize; d++) {
    const centre = (d + 0.5) * scale - 0.5
    const lo = Math.max(0, Math.ceil(centre - support))
    const hi = Math.min(srcSize - 1, Math.floor(centre + support))
    let sum = 0
    let n = 0
    for (let s = lo; s <= hi && n < taps; s++, n++) {
      const w = Math.max(0, 1 - Math.abs(s - centre) / support)
      weights[d * taps + n] = w
      sum += w
    }
    if (sum === 0) {
      // Only when enlarging past the edge: take the nearest pixel.
      weights[d * taps] = 1
      start[d] = Math.min(srcSize - 1, Math.max(0, Math.round(centre)))
      length[d] = 1
      continue
    }
    for (let k = 0; k < n; k++) weights[d * taps + k] /= sum
    start[d] = lo
    length[d] = n
  }
  return { start, length, weights, taps }
}

function resampleAxis(src: Float32Array, width: number, height: number, channels: number, dstSize: number, horizontal: boolean): Float32Array {
  const srcSize = horizontal ? width : height
  if (srcSize === dstSize) return src
  const { start, length, weights, taps } = axisWeights(srcSize, dstSize)
  if (horizontal) {
    const out = new Float32Array(dstSize * height * channels)
    for (let y = 0; y < height; y++) {
      const row = y * width * channels
      for (let x = 0; x < dstSize; x++) {
        const o = (y * dstSize + x) * channels
        const first = row + start[x] * channels
        for (let c = 0; c < channels; c++) {
          let acc = 0
          for (let k = 0; k < length[x]; k++) acc += src[first + k * channels + c] * weights[x * taps + k]
          out[o + c] = acc
        }
      }
    }
    return out
  }
  // Vertically, whole rows are weighted and summed, which keeps memory access sequential.
  const rowLength = width * channels
  const out = new Float32Array(rowLength * dstSize)
  for (let y = 0; y < dstSize; y++) {
    const o = y * rowLength
    for (let k = 0; k < length[y]; k++) {
      const w = weights[y * taps + k]
      const s = (start[y] + k) * rowLength
      for (let i = 0; i < rowLength; i++) out[o + i] += src[s + i] * w
    }
  }
  return out
}

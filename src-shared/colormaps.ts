/**
 * Colour scales as a few anchor colours, interpolated linearly. Shared by the screen and the
 * figure export so both draw identical colours. Viridis and magma anchors are sampled from
 * matplotlib's tables at 1/8 steps.
 */
import type { ColorScaleName } from './figure'

type RGB = [number, number, number]

const anchors: Record<ColorScaleName, RGB[]> = {
  viridis: [
    [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
    [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37]
  ],
  magma: [
    [0, 0, 4], [28, 16, 68], [79, 18, 123], [129, 37, 129], [181, 54, 122],
    [229, 80, 100], [251, 135, 97], [254, 194, 135], [252, 253, 191]
  ],
  coolwarm: [
    [59, 76, 192], [98, 130, 234], [141, 176, 254], [184, 208, 249], [221, 221, 221],
    [245, 196, 173], [244, 154, 123], [222, 96, 77], [180, 4, 38]
  ],
  gray: [[0, 0, 0], [255, 255, 255]]
}

/** A 256-entry RGBA lookup table for a colour scale. */
export function colorTable(name: ColorScaleName): Uint8ClampedArray<ArrayBuffer> {
  const stops = anchors[name]
  const table = new Uint8ClampedArray(256 * 4)
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (stops.length - 1)
    const lo = Math.min(Math.floor(t), stops.length - 2)
    const f = t - lo
    for (let c = 0; c < 3; c++) table[i * 4 + c] = Math.round(stops[lo][c] + (stops[lo + 1][c] - stops[lo][c]) * f)
    table[i * 4 + 3] = 255
  }
  return table
}

/** Maps values to RGBA pixels through a colour scale; NaN becomes transparent. */
export function valuesToRgba(values: ArrayLike<number>, min: number, max: number, name: ColorScaleName): Uint8ClampedArray<ArrayBuffer> {
  const table = colorTable(name)
  const out = new Uint8ClampedArray(values.length * 4)
  const span = max > min ? max - min : 1
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (Number.isNaN(v)) continue
    const k = Math.max(0, Math.min(255, Math.round(((v - min) / span) * 255))) * 4
    out[i * 4] = table[k]
    out[i * 4 + 1] = table[k + 1]
    out[i * 4 + 2] = table[k + 2]
    out[i * 4 + 3] = 255
  }
  return out
}

export function cssGradient(name: ColorScaleName, direction = 'to right'): string {
  return `linear-gradient(${direction}, ${anchors[name].map((c) => `rgb(${c.join(',')})`).join(', ')})`
}

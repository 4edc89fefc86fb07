/**
 * Writes raster figure specs (heatmaps, images) as PNG files for the CLI, through the same
 * colour tables as the screen, enlarged by whole pixels so small maps stay readable.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { valuesToRgba } from '../../src-shared/colormaps'
import type { HeatmapFigure, ImageFigure } from '../../src-shared/figure'

export interface WrittenMap {
  name: string
  file: string
  width: number
  height: number
  /** Pixels of the PNG per map cell. */
  enlarged: number
  /** The colour map and the values at its ends, or how an image's values were mapped to grey levels. */
  colormap: string
  min: number | null
  max: number | null
}

function rgba(spec: HeatmapFigure | ImageFigure): Uint8ClampedArray {
  if (spec.kind === 'heatmap') return valuesToRgba(spec.values, spec.scale.min, spec.scale.max, spec.scale.name)
  const n = spec.width * spec.height
  const out = new Uint8ClampedArray(n * 4)
  for (let p = 0; p < n; p++) {
    if (Number.isNaN(spec.values[p * spec.channels])) continue
    for (let c = 0; c < 3; c++) out[p * 4 + c] = Math.round(255 * spec.values[p * spec.channels + (spec.channels === 3 ? c : 0)])
    out[p * 4 + 3] = 255
  }
  return out
}

export async function writeFigurePng(dir: string, name: string, spec: HeatmapFigure | ImageFigure, colormap?: string): Promise<WrittenMap> {
  mkdirSync(dir, { recursive: true })
  const enlarged = Math.max(1, Math.ceil(256 / Math.max(spec.width, spec.height)))
  const file = join(dir, `${name}.png`)
  await sharp(Buffer.from(rgba(spec)), { raw: { width: spec.width, height: spec.height, channels: 4 } })
    .resize(spec.width * enlarged, spec.height * enlarged, { kernel: 'nearest' })
    .png()
    .toFile(file)
  const scale = spec.kind === 'heatmap' ? spec.scale : null
  return {
    name,
    file,
    width: spec.width,
    height: spec.height,
    enlarged,
    colormap: scale ? scale.name : (colormap ?? 'true colour'),
    min: scale ? scale.min : null,
    max: scale ? scale.max : null
  }
}

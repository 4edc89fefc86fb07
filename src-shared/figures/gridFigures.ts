/**
 * A layer as one figure: its feature maps for one image, or its filters, tiled in one raster with
 * one shared colour scale and colour bar, each tile labelled with its channel in exports.
 */
import type { GridTiles, HeatmapFigure, ImageFigure } from '../figure'
import type { FeatureMapLayer, FilterLayer } from '../inspect'
import { channelMap, channelRange } from './mapFigures'

/** Columns for n tiles of w × h so the whole grid is about as wide as it is tall. */
export function gridColumns(n: number, w: number, h: number): number {
  return Math.max(1, Math.min(n, Math.round(Math.sqrt((n * h) / w))))
}

/** An empty grid (NaN everywhere: transparent) and where each tile goes. */
function emptyGrid(n: number, w: number, h: number, channels: number, labels: string[], columnCount = gridColumns(n, w, h)): { width: number; height: number; values: Float32Array; tiles: GridTiles; origin: (i: number) => number } {
  const columns = columnCount
  const rows = Math.ceil(n / columns)
  // Across, a thin gutter; down, room above each tile for its label.
  const gapX = Math.max(1, Math.round(Math.min(w, h) / 6))
  const gapY = Math.max(2, Math.ceil(h * 0.3))
  const width = columns * w + (columns - 1) * gapX
  const height = rows * (h + gapY)
  const values = new Float32Array(width * height * channels).fill(NaN)
  const origin = (i: number): number => ((Math.floor(i / columns) * (h + gapY) + gapY) * width + (i % columns) * (w + gapX)) * channels
  return { width, height, values, tiles: { columns, tileWidth: w, tileHeight: h, gapX, gapY, labels }, origin }
}

/** Copies an h × w × channels tile into the grid at a flat offset. */
function place(values: Float32Array, gridWidth: number, at: number, tile: Float32Array, w: number, h: number, channels: number): void {
  for (let y = 0; y < h; y++) values.set(tile.subarray(y * w * channels, (y + 1) * w * channels), at + y * gridWidth * channels)
}

/** Channels given as "0-31,40" (a range or list), checked against the layer. */
export function parseChannels(text: string, count: number): number[] {
  const out: number[] = []
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part)
    if (!m) throw new Error(`channels "${text}": give numbers and ranges such as 0-31,40`)
    const [from, to] = [Number(m[1]), Number(m[2] ?? m[1])]
    if (to < from || to >= count) throw new Error(`channels "${part}": the layer has channels 0–${count - 1}`)
    for (let c = from; c <= to; c++) out.push(c)
  }
  if (!out.length) throw new Error(`channels "${text}": give at least one channel`)
  return out
}

/** The chosen feature maps of a layer (all by default) for one image, on one shared scale. */
export function featureMapGridFigure(layer: FeatureMapLayer, title: string, channels: number[] = Array.from({ length: layer.shape[2] }, (_, c) => c)): HeatmapFigure {
  const [h, w] = layer.shape
  const grid = emptyGrid(channels.length, w, h, 1, channels.map(String))
  let min = Infinity
  let max = -Infinity
  channels.forEach((c, i) => {
    const map = channelMap(layer, c)
    const range = channelRange(map)
    min = Math.min(min, range.min)
    max = Math.max(max, range.max)
    place(grid.values, grid.width, grid.origin(i), map, w, h, 1)
  })
  return { kind: 'heatmap', title, width: grid.width, height: grid.height, values: grid.values, scale: { name: 'viridis', min, max: max > min ? max : min + 1, label: 'activation' }, tiles: grid.tiles }
}

/** Every filter of a layer shown (its RGB, signed-reduction or norm view), one tile each. */
export function filterGridFigure(layer: FilterLayer, title: string): HeatmapFigure | ImageFigure {
  const [kh, kw] = layer.kernel
  const labels = Array.from({ length: layer.filters }, (_, f) => String(f))
  if (layer.view === 'perInput') throw new Error('a filter grid needs one tile per filter: choose the mean, L2, largest-|w| or RGB view, not per input channel')
  if (layer.view === 'rgb') {
    const grid = emptyGrid(layer.filters, kw, kh, 3, labels)
    for (let f = 0; f < layer.filters; f++) place(grid.values, grid.width, grid.origin(f), layer.values.subarray(f * kh * kw * 3, (f + 1) * kh * kw * 3), kw, kh, 3)
    return { kind: 'image', title, width: grid.width, height: grid.height, channels: 3, values: grid.values, tiles: grid.tiles }
  }
  const grid = emptyGrid(layer.filters, kw, kh, 1, labels)
  for (let f = 0; f < layer.filters; f++) place(grid.values, grid.width, grid.origin(f), layer.values.subarray(f * kh * kw, (f + 1) * kh * kw), kw, kh, 1)
  const scale = layer.view === 'l2' ? { name: 'viridis' as const, min: 0, max: 1, label: '‖w‖ / scale' } : { name: 'coolwarm' as const, min: -1, max: 1, label: 'w / scale' }
  return { kind: 'heatmap', title, width: grid.width, height: grid.height, values: grid.values, scale, tiles: grid.tiles }
}

/**
 * Channels of a layer across epochs as one figure: a row per channel, a column per epoch, on the
 * shared scale of the view, each tile labelled "#channel · epoch".
 */
export function mapsOverEpochsGridFigure(layers: { epoch: number; layer: FeatureMapLayer }[], channels: number[], scale: { min: number; max: number }, title: string): HeatmapFigure {
  const [h, w] = layers[0].layer.shape
  const labels = channels.flatMap((c) => layers.map(({ epoch }) => `#${c} · epoch ${epoch}`))
  const grid = emptyGrid(labels.length, w, h, 1, labels, layers.length)
  channels.forEach((c, row) => layers.forEach(({ layer }, col) => place(grid.values, grid.width, grid.origin(row * layers.length + col), channelMap(layer, c), w, h, 1)))
  return { kind: 'heatmap', title, width: grid.width, height: grid.height, values: grid.values, scale: { name: 'viridis', min: scale.min, max: scale.max, label: 'activation' }, tiles: grid.tiles }
}

/** Screen height for a grid figure: its aspect at a typical width, kept between 220 and 720 px. */
export function gridFigureHeight(spec: { width: number; height: number }): string {
  return `${Math.round(Math.min(720, Math.max(220, 540 * (spec.height / spec.width))))}px`
}

/**
 * Raster maps (heatmaps, images) as SVG: the values embedded as an image at native resolution
 * (or enlarged by nearest neighbour, never smoothed), with the title, axis labels, a frame and
 * the colour bar drawn as vector text and paths.
 */
import { colorTable, valuesToRgba } from '../../../src-shared/colormaps'
import type { GridTiles, HeatmapFigure, ImageFigure } from '../../../src-shared/figure'
import { formatNumber, THEMES, type ChartStyle } from '../../../src-shared/figures/chartStyle'
import { encodePng } from './png'

export interface RasterPlacement {
  /** In SVG user units. */
  x: number
  y: number
  width: number
  height: number
  /** The map drawn there (its values go through the colour table only where sampled). */
  spec: HeatmapFigure | ImageFigure
}

export const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** RGBA of an image figure (grey repeated to RGB; NaN transparent). */
export function imageRgba(spec: ImageFigure): Uint8ClampedArray {
  const n = spec.width * spec.height
  const out = new Uint8ClampedArray(n * 4)
  for (let p = 0; p < n; p++) {
    const first = spec.values[p * spec.channels]
    if (Number.isNaN(first)) continue
    for (let c = 0; c < 3; c++) out[p * 4 + c] = Math.round(255 * spec.values[p * spec.channels + (spec.channels === 3 ? c : 0)])
    out[p * 4 + 3] = 255
  }
  return out
}

export function rasterRgba(spec: HeatmapFigure | ImageFigure): Uint8ClampedArray {
  return spec.kind === 'heatmap' ? valuesToRgba(spec.values, spec.scale.min, spec.scale.max, spec.scale.name) : imageRgba(spec)
}

/** Nearest-neighbour enlargement by an integer factor (for PDFs, whose viewers smooth small images). */
export function enlarge(rgba: Uint8ClampedArray, cols: number, rows: number, k: number): Uint8ClampedArray {
  if (k <= 1) return rgba
  const out = new Uint8ClampedArray(cols * k * rows * k * 4)
  const src = new Uint32Array(rgba.buffer, rgba.byteOffset, cols * rows)
  const dst = new Uint32Array(out.buffer)
  for (let y = 0; y < rows * k; y++) {
    const sy = Math.floor(y / k) * cols
    for (let x = 0; x < cols * k; x++) dst[y * cols * k + x] = src[sy + Math.floor(x / k)]
  }
  return out
}

export interface RasterLayout {
  width: number
  height: number
  image: { x: number; y: number; width: number; height: number }
  colorBar: { x: number; y: number; width: number; height: number } | null
}

/** Room right of the colour bar for its tick numbers and label; it grows with the type. */
const barSpace = (fontSize: number): number => Math.max(78, fontSize * 6.5)

/**
 * Where the map goes in a box of width × height units: square cells, centred, with room for
 * the title, the axis labels and (heatmaps) the colour bar on the right. With `cell` the image
 * is exactly cols × cell units wide and the box follows from it.
 */
export function rasterLayout(spec: HeatmapFigure | ImageFigure, fontSize: number, box: { width?: number; height?: number; cell?: number }, titleSize = fontSize + 1): RasterLayout {
  const top = (spec.title ? titleSize + 15 : 8) + 4
  const left = ('yLabel' in spec && spec.yLabel ? fontSize + 10 : 0) + fontSize * 3
  const bottom = ('xLabel' in spec && spec.xLabel ? fontSize + 10 : 0) + fontSize + 12
  const right = spec.kind === 'heatmap' ? barSpace(fontSize) + fontSize * 2 : 12
  let cell: number
  let width: number
  let height: number
  if (box.cell) {
    cell = box.cell
    width = left + right + spec.width * cell
    height = top + bottom + spec.height * cell
  } else {
    width = box.width ?? 576
    const availW = Math.max(10, width - left - right)
    cell = availW / spec.width
    if (box.height) cell = Math.min(cell, Math.max(10, box.height - top - bottom) / spec.height)
    height = box.height ?? top + bottom + spec.height * cell
  }
  const imgW = spec.width * cell
  const imgH = spec.height * cell
  const x = left + Math.max(0, (width - left - right - imgW) / 2)
  const y = top + Math.max(0, (height - top - bottom - imgH) / 2)
  const colorBar = spec.kind === 'heatmap' ? { x: x + imgW + fontSize, y, width: Math.max(14, fontSize * 1.1), height: imgH } : null
  return { width, height, image: { x, y, width: imgW, height: imgH }, colorBar }
}

/** Each tile's label in the rows above it, sized to that room (none where it would be unreadably small). */
function tileLabels(tiles: GridTiles, image: { x: number; y: number }, cell: number, fontSize: number, font: string, fill: string): string[] {
  const size = Math.min(fontSize, tiles.gapY * cell * 0.8)
  if (size < 5) return []
  return tiles.labels.map((label, i) => {
    const x = image.x + (i % tiles.columns) * (tiles.tileWidth + tiles.gapX) * cell
    const y = image.y + (Math.floor(i / tiles.columns) * (tiles.tileHeight + tiles.gapY) + tiles.gapY) * cell - size * 0.2
    return `<text x="${x.toFixed(2)}" y="${y.toFixed(2)}" font-family="${font}" font-size="${size.toFixed(2)}" fill="${fill}">${escapeXml(label)}</text>`
  })
}

/** Vertical gradient of a colour scale, bottom = min, as 17 stops of the shared table. */
function gradientDef(id: string, spec: HeatmapFigure): string {
  const table = colorTable(spec.scale.name)
  const stops = Array.from({ length: 17 }, (_, i) => {
    const k = Math.round((i / 16) * 255) * 4
    return `<stop offset="${(i / 16).toFixed(4)}" stop-color="rgb(${table[k]},${table[k + 1]},${table[k + 2]})"/>`
  })
  return `<linearGradient id="${id}" x1="0" y1="1" x2="0" y2="0">${stops.join('')}</linearGradient>`
}

export interface RasterSvg {
  body: string
  layout: RasterLayout
  raster: RasterPlacement
}

/**
 * The map as SVG elements. `embed` places the image inline (SVG and PDF); without it the PNG
 * path composites the pixels itself at the exact output resolution.
 */
export function rasterToSvg(spec: HeatmapFigure | ImageFigure, layout: RasterLayout, style: Omit<ChartStyle, 'width'>, embed: false | { enlarge: number }, idPrefix = 'f'): RasterSvg {
  const colors = THEMES[style.theme]
  const fs = style.fontSize ?? 12
  const font = escapeXml(style.fontFamily ?? 'sans-serif')
  const { image, colorBar } = layout
  const parts: string[] = []
  const text = (x: number, y: number, s: string, attrs = '', fill = colors.muted): string =>
    `<text x="${x.toFixed(2)}" y="${y.toFixed(2)}" font-family="${font}" font-size="${fs}" fill="${fill}" ${attrs}>${escapeXml(s)}</text>`
  const titleSize = style.titleSize ?? fs + 1
  if (spec.title) parts.push(`<text x="${(layout.width / 2).toFixed(2)}" y="${(titleSize + 5).toFixed(2)}" font-family="${font}" font-size="${titleSize}" font-weight="bold" fill="${colors.text}" text-anchor="middle">${escapeXml(spec.title)}</text>`)
  if (embed) {
    const k = embed.enlarge
    const png = encodePng(enlarge(rasterRgba(spec), spec.width, spec.height, k), spec.width * k, spec.height * k).toString('base64')
    parts.push(
      `<image x="${image.x.toFixed(3)}" y="${image.y.toFixed(3)}" width="${image.width.toFixed(3)}" height="${image.height.toFixed(3)}" preserveAspectRatio="none" image-rendering="optimizeSpeed" style="image-rendering:pixelated" xlink:href="data:image/png;base64,${png}"/>`
    )
  }
  const below = image.y + image.height + fs + 2
  if (spec.tiles) {
    // A grid: each tile's label above it instead of a frame and row/column numbers.
    parts.push(...tileLabels(spec.tiles, image, image.width / spec.width, fs, font, colors.muted))
  } else {
    parts.push(`<rect x="${image.x.toFixed(3)}" y="${image.y.toFixed(3)}" width="${image.width.toFixed(3)}" height="${image.height.toFixed(3)}" fill="none" stroke="${colors.axis}" stroke-width="0.75"/>`)
    // Axis ticks: the first and last row/column index.
    parts.push(text(image.x, below, '0', 'text-anchor="start"'), text(image.x + image.width, below, String(spec.width - 1), 'text-anchor="end"'))
    parts.push(text(image.x - 4, image.y + fs * 0.8, '0', 'text-anchor="end"'), text(image.x - 4, image.y + image.height, String(spec.height - 1), 'text-anchor="end"'))
  }
  if (spec.kind === 'heatmap' && spec.xLabel) parts.push(text(image.x + image.width / 2, below + fs + 6, spec.xLabel, 'text-anchor="middle"', colors.text))
  if (spec.kind === 'heatmap' && spec.yLabel) {
    const cx = image.x - fs * 2.6
    const cy = image.y + image.height / 2
    parts.push(`<text x="0" y="0" transform="translate(${cx.toFixed(2)} ${cy.toFixed(2)}) rotate(-90)" font-family="${font}" font-size="${fs}" fill="${colors.text}" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`)
  }
  if (spec.kind === 'heatmap' && colorBar) {
    const id = `${idPrefix}-bar`
    parts.push(`<defs>${gradientDef(id, spec)}</defs>`)
    parts.push(`<rect x="${colorBar.x.toFixed(2)}" y="${colorBar.y.toFixed(2)}" width="${colorBar.width}" height="${colorBar.height.toFixed(2)}" fill="url(#${id})" stroke="${colors.axis}" stroke-width="0.5"/>`)
    const tx = colorBar.x + colorBar.width + 4
    const ticks = [spec.scale.max, (spec.scale.min + spec.scale.max) / 2, spec.scale.min]
    ticks.forEach((v, i) => {
      const y = colorBar.y + (i / 2) * colorBar.height
      parts.push(`<path d="M${(colorBar.x + colorBar.width).toFixed(2)} ${y.toFixed(2)}h3" stroke="${colors.axis}" stroke-width="0.75"/>`)
      parts.push(text(tx + 1, y + fs * 0.35, formatNumber(v), 'text-anchor="start"'))
    })
    if (spec.scale.label) {
      const widest = Math.max(...ticks.map((v) => formatNumber(v).length))
      const lx = Math.min(colorBar.x + colorBar.width + 8 + widest * fs * 0.62 + fs * 0.8, colorBar.x + colorBar.width + barSpace(fs) - fs * 0.5)
      const ly = colorBar.y + colorBar.height / 2
      parts.push(`<text x="0" y="0" transform="translate(${lx.toFixed(2)} ${ly.toFixed(2)}) rotate(-90)" font-family="${font}" font-size="${fs}" fill="${colors.text}" text-anchor="middle">${escapeXml(spec.scale.label)}</text>`)
    }
  }
  return { body: parts.join('\n'), layout, raster: { ...image, spec } }
}

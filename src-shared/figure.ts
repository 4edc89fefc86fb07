/**
 * Plain figure specs: what every chart and map in the UI is built from, so the screen and the
 * SVG/PNG export draw the same thing. No DOM, no ECharts types: plain data only.
 */

export type ColorScaleName = 'viridis' | 'magma' | 'coolwarm' | 'gray'

export interface ColorScale {
  name: ColorScaleName
  min: number
  max: number
  label?: string
}

/**
 * A grid of equal tiles laid out in one raster (a layer's feature maps, its filters): tile i sits
 * at column i % columns, row ⌊i / columns⌋, `gapX` values apart across and `gapY` down (NaN,
 * transparent); above each tile, in its `gapY` rows, exports write its label (a channel number).
 */
export interface GridTiles {
  columns: number
  tileWidth: number
  tileHeight: number
  gapX: number
  gapY: number
  labels: string[]
}

/** A raster heatmap: values row-major, drawn through a colour scale, with optional axes. */
export interface HeatmapFigure {
  kind: 'heatmap'
  title?: string
  width: number
  height: number
  values: Float32Array
  scale: ColorScale
  xLabel?: string
  yLabel?: string
  tiles?: GridTiles
}

/**
 * A true-colour raster (an input image, first-layer RGB filters, a map overlaid on its image):
 * `channels` values per pixel in 0..1, row-major; NaN is drawn transparent.
 */
export interface ImageFigure {
  kind: 'image'
  title?: string
  width: number
  height: number
  channels: 1 | 3
  values: Float32Array
  tiles?: GridTiles
}

/** A chart given as an ECharts option (plain JSON-like data). */
export interface ChartFigure {
  kind: 'chart'
  title?: string
  option: Record<string, unknown>
  /** Series in an order (epochs, layers): past a dozen they take a sequential scale and a colour bar. */
  ordered?: { label: string }
  /** The data behind the chart when its series are transformed for display (a ridgeline's offsets); the CSV export uses it. */
  table?: { columns: string[]; rows: (string | number | null)[][] }
}

export type FigureSpec = HeatmapFigure | ChartFigure | ImageFigure

/** Light for posters and papers, dark for slides. */
export type FigureTheme = 'light' | 'dark'

export type ExportFormat = 'svg' | 'png' | 'pdf' | 'csv' | 'npy' | 'json'

/** Print resolutions offered for PNG; the engine accepts any DPI from 1 to 1200. */
export const PNG_DPIS = [150, 300, 600] as const
export const MAX_DPI = 1200
/** The largest PNG the engine will render, in pixels: a 36 × 48 in poster at 300 DPI (155 megapixels) fits. */
export const MAX_PIXELS = 160_000_000

/** How a figure is rendered for export. Sizes are in inches unless px is given with a DPI. */
export interface ExportOptions {
  format: ExportFormat
  dpi?: number
  widthIn?: number
  heightIn?: number
  widthPx?: number
  /** Raster maps: draw each value as exactly this many pixels square (PNG); the size follows. */
  cellPx?: number
  background?: 'white' | 'transparent'
  theme?: FigureTheme
  fontFamily?: string
  fontSize?: number
}

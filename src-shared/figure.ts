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
}

/** A chart given as an ECharts option (plain JSON-like data). */
export interface ChartFigure {
  kind: 'chart'
  title?: string
  option: Record<string, unknown>
}

export type FigureSpec = HeatmapFigure | ChartFigure | ImageFigure

/**
 * Plain figure specs: what every chart and map in the UI is built from, so the screen and the
 * SVG/PNG export draw the same thing. No DOM, no ECharts types: plain data only. Each type is
 * the schema the API checks it with.
 */
import { z } from 'zod'
import { chartImageProblem } from './figures/chartImages'

const f32 = z.custom<Float32Array>((v) => v instanceof Float32Array, 'expected a Float32Array')
const title = z.string().max(300).optional()
const dim = z.number().int().min(1).max(16384)

export const ColorScaleName = z.enum(['viridis', 'magma', 'coolwarm', 'gray'])
export type ColorScaleName = z.infer<typeof ColorScaleName>

export const ColorScale = z.object({ name: ColorScaleName, min: z.number(), max: z.number(), label: z.string().optional() })
export type ColorScale = z.infer<typeof ColorScale>

/**
 * A grid of equal tiles laid out in one raster (a layer's feature maps, its filters): tile i sits
 * at column i % columns, row ⌊i / columns⌋, `gapX` values apart across and `gapY` down (NaN,
 * transparent); above each tile, in its `gapY` rows, exports write its label (a channel number).
 */
export const GridTiles = z
  .object({ columns: dim, tileWidth: dim, tileHeight: dim, gapX: z.number().int().min(0).max(4096), gapY: z.number().int().min(0).max(4096), labels: z.array(z.string().max(40)).max(4096) })
  .strict()
export type GridTiles = z.infer<typeof GridTiles>

/** A raster heatmap: values row-major, drawn through a colour scale, with optional axes. */
export const HeatmapFigure = z
  .object({ kind: z.literal('heatmap'), title, width: dim, height: dim, values: f32, scale: ColorScale, xLabel: z.string().optional(), yLabel: z.string().optional(), tiles: GridTiles.optional() })
  .refine((s) => s.values.length === s.width * s.height, 'values: a heatmap needs width × height values')
export type HeatmapFigure = z.infer<typeof HeatmapFigure>

/**
 * A true-colour raster (an input image, first-layer RGB filters, a map overlaid on its image):
 * `channels` values per pixel in 0..1, row-major; NaN is drawn transparent.
 */
export const ImageFigure = z
  .object({ kind: z.literal('image'), title, width: dim, height: dim, channels: z.union([z.literal(1), z.literal(3)]), values: f32, tiles: GridTiles.optional() })
  .refine((s) => s.values.length === s.width * s.height * s.channels, 'values: an image needs width × height × channels values')
export type ImageFigure = z.infer<typeof ImageFigure>

/** A chart given as an ECharts option (plain JSON-like data). */
export const ChartFigure = z.object({
  kind: z.literal('chart'),
  title,
  option: z.record(z.string(), z.unknown()).superRefine((option, ctx) => {
    const problem = chartImageProblem(option)
    if (problem) ctx.addIssue({ code: 'custom', message: problem })
  }),
  /** Series in an order (epochs, layers): past a dozen they take a sequential scale and a colour bar. */
  ordered: z.object({ label: z.string() }).optional(),
  /** The data behind the chart when its series are transformed for display (a ridgeline's offsets); the CSV export uses it. */
  table: z.object({ columns: z.array(z.string()), rows: z.array(z.array(z.union([z.string(), z.number(), z.null()]))) }).optional()
})
export type ChartFigure = z.infer<typeof ChartFigure>

export const FigureSpec = z.discriminatedUnion('kind', [HeatmapFigure, ImageFigure, ChartFigure])
export type FigureSpec = z.infer<typeof FigureSpec>

/** Light for posters and papers, dark for slides. */
export const FigureTheme = z.enum(['light', 'dark'])
export type FigureTheme = z.infer<typeof FigureTheme>

export const ExportFormat = z.enum(['svg', 'png', 'pdf', 'csv', 'npy', 'json'])
export type ExportFormat = z.infer<typeof ExportFormat>

/** Print resolutions offered for PNG; the engine accepts any DPI from 1 to 1200. */
export const PNG_DPIS = [150, 300, 600] as const
export const MAX_DPI = 1200
/** The largest PNG the engine will render, in pixels: a 36 × 48 in poster at 300 DPI (155 megapixels) fits. */
export const MAX_PIXELS = 160_000_000

/** How a figure is rendered for export. Sizes are in inches unless px is given with a DPI. */
export const ExportOptions = z
  .object({
    format: ExportFormat,
    dpi: z.number().optional(),
    widthIn: z.number().optional(),
    heightIn: z.number().optional(),
    widthPx: z.number().int().optional(),
    /** Raster maps: draw each value as exactly this many pixels square (PNG); the size follows. */
    cellPx: z.number().int().optional(),
    background: z.enum(['white', 'transparent']).optional(),
    theme: FigureTheme.optional(),
    fontFamily: z.string().min(1).max(200).optional(),
    fontSize: z.number().min(4).max(72).optional()
  })
  .strict()
export type ExportOptions = z.infer<typeof ExportOptions>

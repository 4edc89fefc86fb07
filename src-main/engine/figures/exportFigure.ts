/**
 * Export of one figure spec to a file's bytes, the same for the desktop app, the web host and
 * the CLI. Sizes in inches (or px at a DPI); rasters native or enlarged by nearest neighbour.
 */
import { ApiError } from '../../../src-shared/errors'
import type { ExportFormat, ExportOptions, FigureSpec } from '../../../src-shared/figure'
import { drawStyle, figureDrawing, UNITS_PER_INCH, type Drawing, type DrawStyle, type RasterMode } from './drawing'
import { figureCsv, figureJson, figureNpy } from './figureData'
import { checkDpi, toPdf, toPng, toSvgBytes } from './output'

/** One rendered figure or composition, before the API names it as an ExportedFile (src-shared/figureSet). */
export interface RenderedFile {
  bytes: Uint8Array
  mime: string
  extension: ExportFormat
  widthPx?: number
  heightPx?: number
  /** PNG only: where each map landed, in pixels. */
  rasters?: { x: number; y: number; width: number; height: number }[]
}

export const MIME: Record<ExportFormat, string> = {
  svg: 'image/svg+xml',
  png: 'image/png',
  pdf: 'application/pdf',
  csv: 'text/csv',
  npy: 'application/octet-stream',
  json: 'application/json'
}

export const DEFAULT_WIDTH_IN = 6

const MAX_WIDTH_IN = 100

/**
 * The width in inches an export asks for: --width-in, or --width-px at the DPI, or the default
 * (a composition's own). Out of range, the error speaks in the unit the width was given in.
 */
export function widthInches(options: ExportOptions, defaultIn = DEFAULT_WIDTH_IN): number {
  const dpi = checkDpi(options.dpi ?? 300)
  if (options.widthPx !== undefined && options.widthIn !== undefined) throw new ApiError('invalid_request', 'give a width in inches or in pixels, not both')
  if (options.widthPx !== undefined) {
    const width = options.widthPx / dpi
    if (!Number.isFinite(width) || width <= 0 || width > MAX_WIDTH_IN) {
      throw new ApiError('invalid_request', `the width must be more than 0 and at most ${Math.floor(MAX_WIDTH_IN * dpi)} px at ${dpi} DPI (${MAX_WIDTH_IN} inches), got ${options.widthPx} px`)
    }
  }
  const width = options.widthPx !== undefined ? options.widthPx / dpi : (options.widthIn ?? defaultIn)
  if (!Number.isFinite(width) || width <= 0 || width > MAX_WIDTH_IN) throw new ApiError('invalid_request', `the width must be more than 0 and at most ${MAX_WIDTH_IN} inches, got ${width} inches`)
  if (options.heightIn !== undefined && (!(options.heightIn > 0) || options.heightIn > 100)) throw new ApiError('invalid_request', `the height must be more than 0 and at most 100 inches, got ${options.heightIn}`)
  return width
}

/** Renders a drawing (built by `draw` for the way rasters are carried) to a vector or PNG file. */
export async function renderDrawing(draw: (mode: RasterMode) => Drawing, options: ExportOptions, style: DrawStyle): Promise<RenderedFile> {
  const transparent = options.background === 'transparent'
  const dpi = checkDpi(options.dpi ?? 300)
  if (options.format === 'svg') {
    const d = draw({ embed: true })
    return { bytes: toSvgBytes(d, style, transparent), mime: MIME.svg, extension: 'svg' }
  }
  if (options.format === 'pdf') {
    return { bytes: await toPdf(draw({ embed: false }), style, transparent), mime: MIME.pdf, extension: 'pdf' }
  }
  if (options.format === 'png') {
    const png = toPng(draw({ embed: false }), style, transparent, dpi)
    return { bytes: png.bytes, mime: MIME.png, extension: 'png', widthPx: png.width, heightPx: png.height, rasters: png.rasters }
  }
  throw new ApiError('invalid_request', `format ${options.format} is not an image format; use svg, png or pdf`)
}

export async function exportFigure(spec: FigureSpec, options: ExportOptions): Promise<RenderedFile> {
  if (options.format === 'csv') return { bytes: Buffer.from(figureCsv(spec), 'utf8'), mime: MIME.csv, extension: 'csv' }
  if (options.format === 'npy') return { bytes: figureNpy(spec), mime: MIME.npy, extension: 'npy' }
  if (options.format === 'json') return { bytes: Buffer.from(figureJson(spec), 'utf8'), mime: MIME.json, extension: 'json' }
  const style = drawStyle(options)
  const dpi = checkDpi(options.dpi ?? 300)
  const width = widthInches(options) * UNITS_PER_INCH
  const height = options.heightIn !== undefined ? options.heightIn * UNITS_PER_INCH : undefined
  if (options.cellPx !== undefined) {
    if (spec.kind === 'chart') throw new ApiError('invalid_request', 'cellPx sizes maps by their values; a chart takes a width in inches or pixels')
    if (!Number.isInteger(options.cellPx) || options.cellPx < 1 || options.cellPx > 64) throw new ApiError('invalid_request', `cellPx must be a whole number from 1 to 64, got ${options.cellPx}`)
  }
  const cell = options.cellPx !== undefined ? (options.cellPx * UNITS_PER_INCH) / dpi : undefined
  return renderDrawing((mode) => figureDrawing(spec, { width, height, cell }, style, mode), options, style)
}

/** A file name from a title: letters, digits and dashes. */
export function fileNameFor(title: string | undefined, extension: string): string {
  const slug = (title ?? 'figure').normalize('NFKD').replace(/[^\w]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase().slice(0, 60) || 'figure'
  return `${slug}.${extension}`
}

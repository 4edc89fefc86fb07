/**
 * A drawing: SVG elements in user units (CSS px, 96 per inch) plus the raster maps in it. One
 * figure or a whole composition becomes a drawing; the drawing becomes SVG, PNG or PDF.
 */
import type { ExportOptions, FigureSpec, FigureTheme } from '../../../src-shared/figure'
import { DEFAULT_FONT, THEMES } from '../../../src-shared/figures/chartStyle'
import { chartToSvg } from './chartSvg'
import { escapeXml, rasterLayout, rasterToSvg, type RasterPlacement } from './rasterSvg'

export const UNITS_PER_INCH = 96

export interface Drawing {
  width: number
  height: number
  body: string
  rasters: RasterPlacement[]
}

/** How rasters are carried: inline at native size (SVG), or drawn by the PNG/PDF writer. */
export type RasterMode = { embed: true } | { embed: false }

export interface DrawStyle {
  theme: FigureTheme
  fontFamily: string
  fontSize: number
  /** Print type (compositions): title size, and the smallest text allowed. */
  titleSize?: number
  minFontSize?: number
}

export function drawStyle(options: Pick<ExportOptions, 'theme' | 'fontFamily' | 'fontSize'>): DrawStyle {
  return { theme: options.theme ?? 'light', fontFamily: options.fontFamily ?? DEFAULT_FONT, fontSize: options.fontSize ?? 12 }
}

/** Gives every id in an SVG fragment a prefix, so panels of a composition never collide. */
export function prefixIds(svg: string, prefix: string): string {
  return svg
    .replace(/\sid="([^"]+)"/g, ` id="${prefix}$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}$1"`)
}

/** The inside of an <svg> element. */
function innerSvg(svg: string): string {
  const open = svg.indexOf('>', svg.indexOf('<svg'))
  return svg.slice(open + 1, svg.lastIndexOf('</svg>'))
}

/** Default height of a chart for a width: a 3:2 landscape. */
export const chartHeightFor = (width: number): number => Math.round(width * 0.66)

/** One figure drawn into a box. `cell` (rasters only) fixes the size of one value in units. */
export function figureDrawing(spec: FigureSpec, box: { width: number; height?: number; cell?: number }, style: DrawStyle, mode: RasterMode, idPrefix = 'f'): Drawing {
  if (spec.kind === 'chart') {
    const height = box.height ?? chartHeightFor(box.width)
    const svg = chartToSvg(spec, { width: box.width, height }, { ...style, background: 'transparent' })
    return { width: box.width, height, body: prefixIds(innerSvg(svg), `${idPrefix}-`), rasters: [] }
  }
  const layout = rasterLayout(spec, style.fontSize, box.cell ? { cell: box.cell } : box, style.titleSize)
  const r = rasterToSvg(spec, layout, style, mode.embed ? { enlarge: 1 } : false, idPrefix)
  return { width: layout.width, height: layout.height, body: r.body, rasters: [r.raster] }
}

/** A standalone SVG document: physical size in inches, white/theme or transparent background. */
export function svgDocument(d: Drawing, style: DrawStyle, transparent: boolean): string {
  const bg = transparent ? '' : `<rect x="0" y="0" width="${d.width}" height="${d.height}" fill="${THEMES[style.theme].background}"/>\n`
  const w = (d.width / UNITS_PER_INCH).toFixed(4)
  const h = (d.height / UNITS_PER_INCH).toFixed(4)
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" width="${w}in" height="${h}in" viewBox="0 0 ${d.width} ${d.height}" font-family="${escapeXml(style.fontFamily)}">\n` +
    bg +
    d.body +
    '\n</svg>\n'
  )
}

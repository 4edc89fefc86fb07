/**
 * A drawing to file bytes: SVG as is, PNG through resvg with the maps composited by nearest
 * neighbour and the DPI recorded in pHYs, PDF through PDFKit (one page at the drawing's size,
 * text kept as text with the export font embedded).
 */
import { Resvg } from '@resvg/resvg-js'
import PDFDocument from 'pdfkit'
import SVGtoPDF from 'svg-to-pdfkit'
import { ApiError } from '../../../src-shared/errors'
import { MAX_DPI, MAX_PIXELS } from '../../../src-shared/figure'
import { svgDocument, UNITS_PER_INCH, type Drawing, type DrawStyle } from './drawing'
import { exportFont } from './fonts'
import { encodePng } from './png'
import { enlarge, rasterRgba, type RasterPlacement } from './rasterSvg'
import { colorTable } from '../../../src-shared/colormaps'

export function checkDpi(dpi: number): number {
  if (!Number.isFinite(dpi) || dpi < 1 || dpi > MAX_DPI) throw new ApiError('invalid_request', `dpi must be between 1 and ${MAX_DPI} (150, 300 or 600 for print), got ${dpi}`)
  return dpi
}

/** Pixel size of a drawing at a DPI, refused past the pixel limit with the limit named. */
export function pixelSize(d: Drawing, dpi: number): { width: number; height: number } {
  const scale = dpi / UNITS_PER_INCH
  const width = Math.max(1, Math.round(d.width * scale))
  const height = Math.max(1, Math.round(d.height * scale))
  if (width * height > MAX_PIXELS) {
    throw new ApiError(
      'invalid_request',
      `a ${width}×${height} px image (${((width * height) / 1e6).toFixed(0)} megapixels) exceeds the limit of ${MAX_PIXELS / 1e6} megapixels; lower the DPI or the size`
    )
  }
  return { width, height }
}

export function toSvgBytes(d: Drawing, style: DrawStyle, transparent: boolean): Buffer {
  return Buffer.from(svgDocument(d, style, transparent), 'utf8')
}

export interface PngResult {
  bytes: Buffer
  width: number
  height: number
  /** Where each map landed, in output pixels. */
  rasters: { x: number; y: number; width: number; height: number }[]
}

/** The colour of source pixel p as 0xAABBGGRR (little-endian RGBA), 0 for transparent. */
function pixelLookup(spec: RasterPlacement['spec']): (p: number) => number {
  const pack = (r: number, g: number, b: number): number => ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0
  if (spec.kind === 'heatmap') {
    const table = colorTable(spec.scale.name)
    const packed = Uint32Array.from({ length: 256 }, (_, k) => pack(table[k * 4], table[k * 4 + 1], table[k * 4 + 2]))
    const { min, max } = spec.scale
    const span = max > min ? max - min : 1
    return (p) => {
      const v = spec.values[p]
      return Number.isNaN(v) ? 0 : packed[Math.max(0, Math.min(255, Math.round(((v - min) / span) * 255)))]
    }
  }
  const c = spec.channels
  const byte = (v: number): number => Math.max(0, Math.min(255, Math.round(255 * v)))
  return (p) => {
    const first = spec.values[p * c]
    if (Number.isNaN(first)) return 0
    return c === 3 ? pack(byte(first), byte(spec.values[p * 3 + 1]), byte(spec.values[p * 3 + 2])) : pack(byte(first), byte(first), byte(first))
  }
}

/**
 * Draws a map into RGBA pixels at an integer rectangle by nearest neighbour, over what is there.
 * Only the sampled values are looked up, so a 4096² map into a 6-inch figure stays cheap.
 */
function composite(pixels: Uint8Array, outW: number, outH: number, rect: { x: number; y: number; width: number; height: number }, raster: RasterPlacement): void {
  const cols = raster.spec.width
  const rows = raster.spec.height
  const lookup = pixelLookup(raster.spec)
  const out = new Uint32Array(pixels.buffer, pixels.byteOffset, outW * outH)
  const colOf = new Int32Array(rect.width)
  for (let x = 0; x < rect.width; x++) colOf[x] = Math.min(cols - 1, Math.floor(((x + 0.5) * cols) / rect.width))
  for (let y = 0; y < rect.height; y++) {
    const oy = rect.y + y
    if (oy < 0 || oy >= outH) continue
    const sr = Math.min(rows - 1, Math.floor(((y + 0.5) * rows) / rect.height)) * cols
    for (let x = 0; x < rect.width; x++) {
      const ox = rect.x + x
      if (ox < 0 || ox >= outW) continue
      const colour = lookup(sr + colOf[x])
      if (colour !== 0) out[oy * outW + ox] = colour
    }
  }
}

/** `d` must be drawn without embedded images: the maps are composited here, exactly. */
export function toPng(d: Drawing, style: DrawStyle, transparent: boolean, dpi: number): PngResult {
  const size = pixelSize(d, dpi)
  const font = exportFont()
  const resvg = new Resvg(svgDocument(d, style, transparent), {
    fitTo: { mode: 'width', value: size.width },
    font: { loadSystemFonts: !font, fontFiles: font ? [font.regular, ...(font.bold ? [font.bold] : [])] : [], defaultFontFamily: font?.family ?? 'sans-serif', sansSerifFamily: font?.family ?? 'sans-serif' }
  })
  const rendered = resvg.render()
  const outW = rendered.width
  const outH = rendered.height
  const pixels = new Uint8Array(rendered.pixels)
  // resvg's pixels are premultiplied; PNG stores straight alpha (matters on transparent backgrounds).
  for (let i = 3; i < pixels.length; i += 4) {
    const a = pixels[i]
    if (a === 0 || a === 255) continue
    for (let c = i - 3; c < i; c++) pixels[c] = Math.min(255, Math.round((pixels[c] * 255) / a))
  }
  const scale = outW / d.width
  const rasters = d.rasters.map((r) => {
    const rect = { x: Math.round(r.x * scale), y: Math.round(r.y * scale), width: Math.max(1, Math.round(r.width * scale)), height: Math.max(1, Math.round(r.height * scale)) }
    composite(pixels, outW, outH, rect, r)
    return rect
  })
  return { bytes: encodePng(pixels, outW, outH, dpi), width: outW, height: outH, rasters }
}

/** One PDF page at the drawing's physical size (72 points per inch); `d` drawn without embedded images. */
export function toPdf(d: Drawing, style: DrawStyle, transparent: boolean): Promise<Buffer> {
  const widthPt = (d.width / UNITS_PER_INCH) * 72
  const heightPt = (d.height / UNITS_PER_INCH) * 72
  const doc = new PDFDocument({ size: [widthPt, heightPt], margin: 0, info: { Title: 'Featurelens figure', Creator: 'Featurelens' } })
  const chunks: Buffer[] = []
  doc.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })
  const font = exportFont()
  if (font) {
    doc.registerFont('export', font.regular)
    doc.registerFont('export-bold', font.bold ?? font.regular)
  }
  SVGtoPDF(doc, svgDocument(d, style, transparent), 0, 0, {
    width: widthPt,
    height: heightPt,
    preserveAspectRatio: 'xMinYMin meet',
    fontCallback: (_family, bold) => (font ? (bold ? 'export-bold' : 'export') : bold ? 'Helvetica-Bold' : 'Helvetica'),
    warningCallback: () => undefined
  })
  // Maps go in as image XObjects at native resolution, enlarged by whole pixels (nearest
  // neighbour) to about 300 DPI at their printed size, since PDF viewers smooth small images.
  const pt = 72 / UNITS_PER_INCH
  for (const r of d.rasters) {
    const { width: cols, height: rows } = r.spec
    const k = Math.max(1, Math.min(Math.ceil(((r.width / UNITS_PER_INCH) * 300) / cols), Math.floor(4096 / Math.max(cols, rows))))
    const png = encodePng(enlarge(rasterRgba(r.spec), cols, rows, k), cols * k, rows * k)
    doc.image(png, r.x * pt, r.y * pt, { width: r.width * pt, height: r.height * pt })
  }
  doc.end()
  return done
}

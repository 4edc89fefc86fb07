/** Export options shared by `featurelens export` and `featurelens plot`. */
import { ApiError } from '../../src-shared/errors'
import type { ExportFormat, ExportOptions } from '../../src-shared/figure'

export const exportArgs = {
  format: { type: 'string' },
  dpi: { type: 'string' },
  'width-in': { type: 'string' },
  'width-px': { type: 'string' },
  'height-in': { type: 'string' },
  theme: { type: 'string' },
  transparent: { type: 'boolean' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  workspace: { type: 'string' },
  json: { type: 'boolean' }
} as const

export const exportUsage = `  --format F          svg, png, pdf or csv (npy and json for maps and specs too)
  --dpi N             PNG resolution, 1 to 1200 (150, 300, 600 for print; default 300)
  --width-in W        width in inches (default 6; compositions keep their own)
  --width-px W        width in pixels at the DPI (instead of --width-in)
  --height-in H       height in inches (charts; maps keep their aspect)
  --theme light|dark  light for posters and papers, dark for slides (default light)
  --transparent       PNG/SVG/PDF without a background
  --out FILE          where to write (default: a name from the title, in this folder)
  --force             replace FILE if it exists (links, FIFOs and devices are never written)`

function positiveNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new ApiError('invalid_request', `--${name} must be a number above 0, got "${value}"`)
  return n
}

const FORMATS: ExportFormat[] = ['svg', 'png', 'pdf', 'csv', 'npy', 'json']

export function exportOptionsOf(values: Record<string, string | boolean | undefined>): ExportOptions {
  const format = values.format
  if (typeof format !== 'string' || !FORMATS.includes(format as ExportFormat)) throw new ApiError('invalid_request', `--format must be one of ${FORMATS.join(', ')}; got "${format ?? ''}"`)
  const dpiText = values.dpi as string | undefined
  const dpi = dpiText === undefined ? undefined : Number(dpiText)
  if (dpiText !== undefined && !Number.isFinite(dpi)) throw new ApiError('invalid_request', `--dpi must be a number from 1 to 1200, got "${dpiText}"`)
  if (values['width-in'] !== undefined && values['width-px'] !== undefined) throw new ApiError('invalid_request', 'give --width-in or --width-px, not both')
  const theme = values.theme as string | undefined
  if (theme !== undefined && theme !== 'light' && theme !== 'dark') throw new ApiError('invalid_request', `--theme must be light or dark, got "${theme}"`)
  const widthPx = positiveNumber('width-px', values['width-px'] as string | undefined)
  return {
    format: format as ExportFormat,
    dpi,
    widthIn: positiveNumber('width-in', values['width-in'] as string | undefined),
    widthPx: widthPx === undefined ? undefined : Math.round(widthPx),
    heightIn: positiveNumber('height-in', values['height-in'] as string | undefined),
    theme,
    background: values.transparent ? 'transparent' : 'white'
  }
}

import { extname } from 'node:path'
import { ApiError } from '../../../src-shared/errors'
import type { ExportFormat } from '../../../src-shared/figure'
import { panelLetter, type CompositionLayoutInput } from '../../../src-shared/figureSet'
import { bodyTypeFor, isPageSizeName, PAGE_SIZE_NAMES, PAGE_SIZES } from '../../../src-shared/figures/pageSizes'
import { openApi } from '../../api/openApi'
import { parseCommandArgs } from '../args'
import type { Command } from '../command'
import { checkOutput, writeOutput } from '../outputFile'

const usage = `Usage: featurelens compose FIGURE_ID… --out poster.pdf [options]

Builds a poster from saved figures ("featurelens plot … --save" and "figures list" give their
ids), saves it as a composition of the Figures page and writes it to a file, so a poster can be
scripted and rebuilt after a new training run.

  --title T           the poster's heading and the composition's name
  --size S            ${PAGE_SIZE_NAMES.join(', ')}, or WxH in inches (default a0-portrait)
  --grid RxC          rows × columns (default: as square as the figures need)
  --caption "A=…"     a panel's caption, by its letter (repeat for more panels)
  --font-size PT      body type in points at the printed size (default for the page: 20 pt on A0)
  --theme light|dark  (default light)
  --no-letters        no panel letters
  --format F          svg, pdf or png (default: from --out's extension)
  --dpi N             PNG resolution (default 300)
  --out FILE          where to write
  --force             replace FILE if it exists (links, FIFOs and devices are never written)
  --json              print {"id", "path", ...}
  --workspace DIR`

const FORMATS: ExportFormat[] = ['svg', 'pdf', 'png']

function pageOf(size: string): { widthIn: number; heightIn: number } {
  if (isPageSizeName(size)) return PAGE_SIZES[size]
  const custom = /^(\d+(?:\.\d+)?)x(\d+(?:\.\d+)?)$/i.exec(size)
  if (!custom) throw new ApiError('invalid_request', `--size "${size}": give one of ${PAGE_SIZE_NAMES.join(', ')}, or width×height in inches such as 40x30`)
  return { widthIn: Number(custom[1]), heightIn: Number(custom[2]) }
}

function gridOf(grid: string | undefined, panels: number): { rows: number; cols: number } {
  if (grid === undefined) {
    const cols = Math.min(8, Math.ceil(Math.sqrt(panels)))
    return { rows: Math.min(8, Math.ceil(panels / cols)), cols }
  }
  const m = /^(\d)x(\d)$/.exec(grid)
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new ApiError('invalid_request', `--grid "${grid}": give rows×columns from 1x1 to 8x8, such as 3x2`)
  const [rows, cols] = [Number(m[1]), Number(m[2])]
  if (rows * cols < panels) throw new ApiError('invalid_request', `--grid ${grid} has ${rows * cols} places for ${panels} figures; give a larger grid`)
  return { rows, cols }
}

function captionsOf(values: string[], panels: number): string[] {
  const captions = Array<string>(panels).fill('')
  for (const value of values) {
    const m = /^([A-Z]+)=(.*)$/s.exec(value)
    const index = m ? Array.from({ length: panels }, (_, i) => panelLetter(i)).indexOf(m[1]) : -1
    if (!m || index < 0) throw new ApiError('invalid_request', `--caption "${value}": give a panel letter from A to ${panelLetter(panels - 1)}, "=" and the caption, such as "A=Loss per epoch."`)
    captions[index] = m[2]
  }
  return captions
}

export const composeCommand: Command = {
  name: 'compose',
  summary: 'build a poster from saved figures and write it to PDF, SVG or PNG',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('compose', args, {
      title: { type: 'string' },
      size: { type: 'string' },
      grid: { type: 'string' },
      caption: { type: 'string', multiple: true },
      'font-size': { type: 'string' },
      theme: { type: 'string' },
      'no-letters': { type: 'boolean' },
      format: { type: 'string' },
      dpi: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
      json: { type: 'boolean' },
      workspace: { type: 'string' }
    })
    if (!positionals.length) throw new ApiError('invalid_request', 'compose needs the ids of saved figures ("featurelens figures list" shows them)')
    if (positionals.length > 64) throw new ApiError('invalid_request', `compose takes at most 64 figures, got ${positionals.length}`)
    if (values.out === undefined) throw new ApiError('invalid_request', 'compose needs --out FILE, such as --out poster.pdf')
    const format = (values.format ?? extname(values.out).slice(1).toLowerCase()) as ExportFormat
    if (!FORMATS.includes(format)) throw new ApiError('invalid_request', `compose writes ${FORMATS.join(', ')}; give --format or an --out ending in .pdf, .svg or .png (got "${values.out}")`)
    const theme = values.theme ?? 'light'
    if (theme !== 'light' && theme !== 'dark') throw new ApiError('invalid_request', `--theme must be light or dark, got "${theme}"`)
    const page = pageOf(values.size ?? 'a0-portrait')
    const fontSize = values['font-size'] === undefined ? bodyTypeFor(page.widthIn, page.heightIn) : Number(values['font-size'])
    if (!Number.isFinite(fontSize) || fontSize < 6 || fontSize > 48) throw new ApiError('invalid_request', `--font-size must be from 6 to 48 points, got "${values['font-size']}"`)
    const dpi = values.dpi === undefined ? 300 : Number(values.dpi)
    const { rows, cols } = gridOf(values.grid, positionals.length)
    const captions = captionsOf(values.caption ?? [], positionals.length)
    const force = values.force === true
    const out = checkOutput(values.out, force)
    const title = values.title ?? ''
    const layout: CompositionLayoutInput = {
      title,
      rows,
      cols,
      widthIn: page.widthIn,
      heightIn: page.heightIn,
      fontSize,
      theme,
      letters: !values['no-letters'],
      panels: positionals.map((figureId, i) => ({ figureId, row: Math.floor(i / cols), col: i % cols, rowSpan: 1, colSpan: 1, caption: captions[i] }))
    }
    const api = openApi({ workspace: values.workspace, shell: 'web' })
    try {
      const figures = new Set((await api.call('figures.list', {})).map((f) => f.id))
      const unknown = positionals.filter((id) => !figures.has(id))
      if (unknown.length) throw new ApiError('not_found', `no saved figure ${unknown.join(', ')} in this workspace ("featurelens figures list" shows the ids)`)
      const saved = await api.call('compositions.save', { name: title || 'Poster', layout })
      const file = await api.call('compositions.export', { id: saved.id, options: { format, dpi } })
      await writeOutput(out, file.bytes, force)
      for (const w of file.warnings) io.err(`warning: ${w}`)
      io.out(values.json ? JSON.stringify({ id: saved.id, path: out, bytes: file.bytes.byteLength, mime: file.mime, warnings: file.warnings }) : `saved composition ${saved.id}; wrote ${out} (${file.bytes.byteLength} bytes)`)
      return 0
    } finally {
      api.close()
    }
  }
}

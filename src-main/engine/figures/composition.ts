/**
 * A poster composition as one drawing: figures in a grid (rows, columns, spans) with panel
 * letters and captions in one font, size and theme. A panel whose figure or run is gone says
 * so in its box; the rest still draws.
 */
import type { FigureSpec } from '../../../src-shared/figure'
import { panelLetter, type CompositionLayout } from '../../../src-shared/figureSet'
import { THEMES } from '../../../src-shared/figures/chartStyle'
import { printType } from '../../../src-shared/figures/pageSizes'
import { figureDrawing, UNITS_PER_INCH, type Drawing, type DrawStyle, type RasterMode } from './drawing'
import { escapeXml } from './rasterSvg'

export type PanelSource = { spec: FigureSpec } | { missing: string }

/** Drawing units (CSS px, 96 per inch) per typographic point (72 per inch). */
const UNITS_PER_PT = UNITS_PER_INCH / 72

/** Caption lines at a width, breaking between words. */
export function wrapCaption(caption: string, width: number, fontSize: number): string[] {
  const perLine = Math.max(8, Math.floor(width / (fontSize * 0.56)))
  const lines: string[] = []
  for (const paragraph of caption.split('\n')) {
    let line = ''
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > perLine) {
        lines.push(line)
        line = word
      } else line = line ? `${line} ${word}` : word
    }
    if (line) lines.push(line)
  }
  return lines
}

/**
 * The composition's type at its printed size: `fontSize` is the body type in points (captions,
 * axis names, tick labels), titles and panel letters 1.4 times it, and no text of a panel smaller
 * than 0.9 times it, whatever the figure asked for on screen.
 */
export function compositionStyle(layout: CompositionLayout): DrawStyle {
  const type = printType(layout.fontSize)
  return { theme: layout.theme, fontFamily: layout.fontFamily, fontSize: type.body * UNITS_PER_PT, titleSize: type.title * UNITS_PER_PT, minFontSize: type.min * UNITS_PER_PT }
}

export function compositionDrawing(layout: CompositionLayout, sources: PanelSource[], mode: RasterMode, widthIn = layout.widthIn): Drawing {
  const style = compositionStyle(layout)
  const colors = THEMES[layout.theme]
  const fs = style.fontSize
  const letterSize = style.titleSize ?? fs + 4
  // Margins and gutters grow with the type, so a poster keeps its proportions.
  const MARGIN = Math.max(10, fs * 1.5)
  const GAP = Math.max(14, fs * 1.2)
  const width = widthIn * UNITS_PER_INCH
  const height = layout.heightIn * (widthIn / layout.widthIn) * UNITS_PER_INCH
  const font = escapeXml(layout.fontFamily)
  const parts: string[] = []
  // The poster's heading: twice the title size, centred, wrapped to the page.
  const headingSize = (style.titleSize ?? fs) * 1.6
  const heading = layout.title ? wrapCaption(layout.title, width - 2 * MARGIN, headingSize * 1.1) : []
  heading.forEach((line, k) => {
    parts.push(`<text x="${(width / 2).toFixed(2)}" y="${(MARGIN + (k + 1) * headingSize * 1.2).toFixed(2)}" font-family="${font}" font-size="${headingSize.toFixed(2)}" font-weight="bold" fill="${colors.text}" text-anchor="middle">${escapeXml(line)}</text>`)
  })
  const top = MARGIN + (heading.length ? heading.length * headingSize * 1.2 + headingSize * 0.6 : 0)
  const cellW = (width - 2 * MARGIN - (layout.cols - 1) * GAP) / layout.cols
  const cellH = (height - top - MARGIN - (layout.rows - 1) * GAP) / layout.rows
  const rasters: Drawing['rasters'] = []
  layout.panels.forEach((panel, i) => {
    const x = MARGIN + panel.col * (cellW + GAP)
    const y = top + panel.row * (cellH + GAP)
    const w = panel.colSpan * cellW + (panel.colSpan - 1) * GAP
    const h = panel.rowSpan * cellH + (panel.rowSpan - 1) * GAP
    const letterH = layout.letters ? letterSize + 4 : 0
    const lines = wrapCaption(panel.caption, w, fs)
    const captionH = lines.length ? lines.length * fs * 1.3 + 6 : 0
    const figH = Math.max(20, h - letterH - captionH)
    if (layout.letters) {
      parts.push(`<text x="${x.toFixed(2)}" y="${(y + letterSize).toFixed(2)}" font-family="${font}" font-size="${letterSize.toFixed(2)}" font-weight="bold" fill="${colors.text}">${panelLetter(i)}</text>`)
    }
    const source = sources[i]
    const fy = y + letterH
    if ('spec' in source) {
      const d = figureDrawing(source.spec, { width: w, height: figH }, style, mode, `p${i}`)
      // A raster's natural height may be less than the box: centre it vertically.
      const dy = Math.max(0, (figH - d.height) / 2)
      parts.push(`<g transform="translate(${x.toFixed(2)} ${(fy + dy).toFixed(2)})">\n${d.body}\n</g>`)
      for (const r of d.rasters) rasters.push({ ...r, x: r.x + x, y: r.y + fy + dy })
    } else {
      parts.push(`<rect x="${x.toFixed(2)}" y="${fy.toFixed(2)}" width="${w.toFixed(2)}" height="${figH.toFixed(2)}" fill="none" stroke="${colors.axis}" stroke-dasharray="6 4"/>`)
      wrapCaption(source.missing, w - 20, fs).forEach((line, k) => {
        parts.push(`<text x="${(x + w / 2).toFixed(2)}" y="${(fy + figH / 2 + k * fs * 1.3).toFixed(2)}" font-family="${font}" font-size="${fs}" fill="${colors.text}" text-anchor="middle">${escapeXml(line)}</text>`)
      })
    }
    lines.forEach((line, k) => {
      parts.push(`<text x="${x.toFixed(2)}" y="${(fy + figH + 4 + (k + 1) * fs * 1.3 - fs * 0.3).toFixed(2)}" font-family="${font}" font-size="${fs}" fill="${colors.muted}">${escapeXml(line)}</text>`)
    })
  })
  return { width, height, body: parts.join('\n'), rasters }
}

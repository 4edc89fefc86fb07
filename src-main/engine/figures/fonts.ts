/**
 * The font exports are drawn with: a sans-serif TrueType file found on this machine (DejaVu or
 * Liberation, as Debian and most Linux images ship them), named in the SVG and embedded in PDFs.
 */
import { existsSync } from 'node:fs'

const CANDIDATES = [
  { family: 'DejaVu Sans', regular: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', bold: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf' },
  { family: 'Liberation Sans', regular: '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf', bold: '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf' },
  { family: 'DejaVu Sans', regular: '/usr/share/fonts/TTF/DejaVuSans.ttf', bold: '/usr/share/fonts/TTF/DejaVuSans-Bold.ttf' },
  { family: 'Arial', regular: '/Library/Fonts/Arial.ttf', bold: '/Library/Fonts/Arial Bold.ttf' },
  { family: 'Arial', regular: 'C:\\Windows\\Fonts\\arial.ttf', bold: 'C:\\Windows\\Fonts\\arialbd.ttf' }
]

export interface ExportFont {
  family: string
  regular: string
  bold: string | null
}

let found: ExportFont | null | undefined

/** The first font file present, or null (then PDFs fall back to Helvetica, PNGs to system fonts). */
export function exportFont(): ExportFont | null {
  if (found !== undefined) return found
  const hit = CANDIDATES.find((c) => existsSync(c.regular))
  found = hit ? { family: hit.family, regular: hit.regular, bold: existsSync(hit.bold) ? hit.bold : null } : null
  return found
}

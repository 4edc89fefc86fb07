/** Independent readers for exported files: an XML parser for SVG, pdf.js for PDF. */
import { XMLParser, XMLValidator } from 'fast-xml-parser'

/** Every <text> element's content; throws when the SVG is not well-formed XML. */
export function parseSvg(svg: string): string[] {
  const valid = XMLValidator.validate(svg)
  if (valid !== true) throw new Error(`SVG is not well-formed XML: ${JSON.stringify(valid.err)}`)
  const tree = new XMLParser({ ignoreAttributes: true, preserveOrder: true, trimValues: true }).parse(svg) as unknown[]
  const out: string[] = []
  const walk = (nodes: unknown): void => {
    if (!Array.isArray(nodes)) return
    for (const node of nodes as Record<string, unknown>[]) {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'text') {
          const content = (value as Record<string, unknown>[]).map((c) => c['#text']).filter((t) => t !== undefined).join('')
          out.push(String(content))
        } else if (key !== '#text' && key !== ':@') walk(value)
      }
    }
  }
  walk(tree)
  return out
}

export async function pdfText(bytes: Uint8Array): Promise<{ pages: number; size: [number, number]; text: string }> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs')
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isEvalSupported: false }).promise
  const page = await doc.getPage(1)
  const [x0, y0, x1, y1] = page.view
  const content = await page.getTextContent()
  const text = content.items.map((i) => ('str' in i ? i.str : '')).join(' ')
  const pages = doc.numPages
  await doc.destroy()
  return { pages, size: [x1 - x0, y1 - y0], text }
}

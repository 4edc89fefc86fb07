/**
 * The figure set and poster compositions: figures saved with their specs (so they re-render,
 * not only as images) and grids of them with panel letters, captions, one font and one theme.
 */
import { z } from 'zod'
import { DEFAULT_FONT } from './figures/chartStyle'
import { FigureTextSchema } from './figures/figureText'
import { FigureTheme } from './figure'

export const SavedFigure = z.object({
  id: z.string(),
  title: z.string(),
  kind: z.enum(['heatmap', 'image', 'chart']),
  /** Where it was saved from, e.g. "Compare · CKA". */
  source: z.string(),
  runIds: z.array(z.string()),
  /** Runs the figure came from that have since been deleted. */
  missingRuns: z.array(z.string()),
  /** The words the user set over the generated ones (empty: as made). */
  text: FigureTextSchema,
  createdAt: z.string()
})
export type SavedFigure = z.infer<typeof SavedFigure>

export const CompositionPanel = z
  .object({
    figureId: z.string().min(1),
    row: z.number().int().min(0),
    col: z.number().int().min(0),
    rowSpan: z.number().int().min(1).default(1),
    colSpan: z.number().int().min(1).default(1),
    caption: z.string().max(600).default('')
  })
  .strict()
export type CompositionPanel = z.infer<typeof CompositionPanel>

export const CompositionLayout = z
  .object({
    /** The poster's heading, drawn across the top (empty: none). */
    title: z.string().max(300).default(''),
    rows: z.number().int().min(1).max(8),
    cols: z.number().int().min(1).max(8),
    widthIn: z.number().min(1).max(60).default(10),
    heightIn: z.number().min(1).max(60).default(7),
    fontFamily: z.string().min(1).max(200).default(DEFAULT_FONT),
    /** Body type in points at the printed size (titles are 1.4 times it); see pageSizes.ts. */
    fontSize: z.number().min(6).max(48).default(12),
    theme: FigureTheme.default('light'),
    letters: z.boolean().default(true),
    panels: z.array(CompositionPanel).max(64)
  })
  .strict()
  .superRefine((layout, ctx) => {
    const taken = new Map<string, number>()
    layout.panels.forEach((p, i) => {
      if (p.row + p.rowSpan > layout.rows || p.col + p.colSpan > layout.cols) {
        ctx.addIssue({ code: 'custom', path: ['panels', i], message: `panel ${i + 1} (row ${p.row + 1}, column ${p.col + 1}, spanning ${p.rowSpan}×${p.colSpan}) does not fit a ${layout.rows}×${layout.cols} grid` })
        return
      }
      for (let r = p.row; r < p.row + p.rowSpan; r++) for (let c = p.col; c < p.col + p.colSpan; c++) {
        const other = taken.get(`${r},${c}`)
        if (other !== undefined) ctx.addIssue({ code: 'custom', path: ['panels', i], message: `panel ${i + 1} overlaps panel ${other + 1} at row ${r + 1}, column ${c + 1}` })
        taken.set(`${r},${c}`, i)
      }
    })
  })
export type CompositionLayout = z.output<typeof CompositionLayout>
export type CompositionLayoutInput = z.input<typeof CompositionLayout>

export const Composition = z.object({ id: z.string(), name: z.string(), layout: CompositionLayout, createdAt: z.string(), updatedAt: z.string() })
export type Composition = z.infer<typeof Composition>

export const ExportedFile = z.object({
  fileName: z.string(),
  mime: z.string(),
  bytes: z.instanceof(Uint8Array),
  /** Panels that could not be drawn (a deleted run or figure), each said in its panel too. */
  warnings: z.array(z.string())
})
export type ExportedFile = z.infer<typeof ExportedFile>

/** Panel letters: A, B, … Z, AA, AB … */
export function panelLetter(i: number): string {
  return i < 26 ? String.fromCharCode(65 + i) : panelLetter(Math.floor(i / 26) - 1) + String.fromCharCode(65 + (i % 26))
}

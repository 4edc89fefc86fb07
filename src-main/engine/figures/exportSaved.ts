/** Exports of what the figure set keeps: a saved figure (or a spec given as is) and a composition of saved figures, rendered in the export worker. */
import { ApiError } from '../../../src-shared/errors'
import type { ExportOptions, FigureSpec } from '../../../src-shared/figure'
import type { CompositionLayout, ExportedFile } from '../../../src-shared/figureSet'
import type { WorkspaceDb } from '../store/database'
import { figureSpec, getComposition, getFigure, hasFigure } from '../store/figureStore'
import type { PanelSource } from './composition'
import { fileNameFor, widthInches } from './exportFigure'
import { exportInWorker } from './exportJob'

/** Each panel's figure, or why it cannot be drawn (its figure or one of its runs was deleted). */
export function panelSources(db: WorkspaceDb, layout: CompositionLayout): { sources: PanelSource[]; warnings: string[] } {
  const warnings: string[] = []
  const sources = layout.panels.map((panel, i): PanelSource => {
    if (!hasFigure(db, panel.figureId)) {
      const missing = `Figure ${panel.figureId} was deleted from the figure set.`
      warnings.push(`panel ${i + 1}: ${missing}`)
      return { missing }
    }
    const figure = getFigure(db, panel.figureId)
    if (figure.missingRuns.length) {
      const missing = `“${figure.title}” comes from run ${figure.missingRuns.join(', ')}, which was deleted.`
      warnings.push(`panel ${i + 1}: ${missing}`)
      return { missing }
    }
    return { spec: figureSpec(db, panel.figureId) }
  })
  return { sources, warnings }
}

export async function exportComposition(db: WorkspaceDb, id: string, options: ExportOptions): Promise<ExportedFile> {
  const composition = getComposition(db, id)
  if (!['svg', 'png', 'pdf'].includes(options.format)) throw new ApiError('invalid_request', `a composition exports as svg, png or pdf, not ${options.format}`)
  const widthIn = widthInches(options, composition.layout.widthIn)
  const { sources, warnings } = panelSources(db, composition.layout)
  const file = await exportInWorker({ kind: 'composition', layout: composition.layout, sources, widthIn, options })
  return { fileName: fileNameFor(composition.name, file.extension), mime: file.mime, bytes: new Uint8Array(file.bytes), warnings }
}

/** A figure given by its spec, or a saved one by its id, exported as asked. */
export async function exportSavedOrGiven(db: WorkspaceDb, request: { spec?: FigureSpec; id?: string; options: ExportOptions }): Promise<ExportedFile> {
  if (!request.spec === !request.id) throw new ApiError('invalid_request', 'figures.export needs either a spec or the id of a saved figure')
  const spec = request.spec ?? figureSpec(db, request.id as string)
  const file = await exportInWorker({ kind: 'figure', spec, options: request.options })
  return { fileName: fileNameFor(spec.title, file.extension), mime: file.mime, bytes: new Uint8Array(file.bytes), warnings: [] }
}

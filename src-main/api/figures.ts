import { ApiError } from '../../src-shared/errors'
import type { ExportOptions, FigureSpec } from '../../src-shared/figure'
import type { CompositionLayout, ExportedFile } from '../../src-shared/figureSet'
import type { PanelSource } from '../engine/figures/composition'
import { exportInWorker } from '../engine/figures/exportJob'
import { fileNameFor, widthInches } from '../engine/figures/exportFigure'
import type { WorkspaceDb } from '../engine/store/database'
import {
  deleteComposition,
  deleteFigure,
  duplicateComposition,
  figureSpec,
  generatedSpec,
  setFigureText,
  getComposition,
  getFigure,
  hasFigure,
  listCompositions,
  listFigures,
  saveComposition,
  saveFigure
} from '../engine/store/figureStore'
import type { Handler } from './router'

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

async function exportOne(db: WorkspaceDb, request: { spec?: FigureSpec; id?: string; options: ExportOptions }): Promise<ExportedFile> {
  if (!request.spec === !request.id) throw new ApiError('invalid_request', 'figures.export needs either a spec or the id of a saved figure')
  const spec = request.spec ?? figureSpec(db, request.id as string)
  const file = await exportInWorker({ kind: 'figure', spec, options: request.options })
  return { fileName: fileNameFor(spec.title, file.extension), mime: file.mime, bytes: new Uint8Array(file.bytes), warnings: [] }
}

export const figureHandlers: {
  'figures.list': Handler<'figures.list'>
  'figures.get': Handler<'figures.get'>
  'figures.setText': Handler<'figures.setText'>
  'figures.save': Handler<'figures.save'>
  'figures.delete': Handler<'figures.delete'>
  'figures.export': Handler<'figures.export'>
  'compositions.list': Handler<'compositions.list'>
  'compositions.get': Handler<'compositions.get'>
  'compositions.save': Handler<'compositions.save'>
  'compositions.duplicate': Handler<'compositions.duplicate'>
  'compositions.delete': Handler<'compositions.delete'>
  'compositions.export': Handler<'compositions.export'>
} = {
  'figures.list': (_r, { db }) => listFigures(db),
  'figures.get': ({ id }, { db }) => ({ figure: getFigure(db, id), spec: figureSpec(db, id), generated: generatedSpec(db, id) }),
  'figures.setText': ({ id, text }, { db }) => setFigureText(db, id, text),
  'figures.save': ({ spec, title, source, runIds }, { db }) => saveFigure(db, spec, { title, source, runIds }),
  'figures.delete': ({ id }, { db }) => {
    deleteFigure(db, id)
    return { deleted: id }
  },
  'figures.export': (request, { db }) => exportOne(db, request),
  'compositions.list': (_r, { db }) => listCompositions(db),
  'compositions.get': ({ id }, { db }) => getComposition(db, id),
  'compositions.save': (request, { db }) => saveComposition(db, request),
  'compositions.duplicate': ({ id }, { db }) => duplicateComposition(db, id),
  'compositions.delete': ({ id }, { db }) => {
    deleteComposition(db, id)
    return { deleted: id }
  },
  'compositions.export': ({ id, options }, { db }) => exportComposition(db, id, options)
}

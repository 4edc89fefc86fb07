/**
 * The figure set and compositions in the workspace database. Specs are stored as wire frames
 * (JSON with typed arrays as raw bytes), so a saved map keeps its exact float values.
 */
import { randomBytes } from 'node:crypto'
import { ApiError } from '../../../src-shared/errors'
import type { FigureSpec } from '../../../src-shared/figure'
import { applyFigureText, FigureTextSchema, type FigureText } from '../../../src-shared/figures/figureText'
import { CompositionLayout, type Composition, type CompositionLayoutInput, type SavedFigure } from '../../../src-shared/figureSet'
import { decodeFrame, encodeFrame } from '../../../src-shared/wire'
import type { WorkspaceDb } from './database'

interface FigureRow {
  id: string
  title: string
  kind: SavedFigure['kind']
  source: string
  run_ids: string
  text: string
  created_at: string
}

interface CompositionRow {
  id: string
  name: string
  layout: string
  created_at: string
  updated_at: string
}

const newId = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`

/** Of these run ids, the ones no longer in the workspace. */
export function missingRuns(db: WorkspaceDb, runIds: string[]): string[] {
  const has = db.prepare('SELECT 1 FROM runs WHERE id = ?')
  return runIds.filter((id) => !has.get(id))
}

function toFigure(db: WorkspaceDb, row: FigureRow): SavedFigure {
  const runIds = JSON.parse(row.run_ids) as string[]
  const text = FigureTextSchema.safeParse(JSON.parse(row.text))
  return { id: row.id, title: row.title, kind: row.kind, source: row.source, runIds, missingRuns: missingRuns(db, runIds), text: text.success ? text.data : {}, createdAt: row.created_at }
}

export function saveFigure(db: WorkspaceDb, spec: FigureSpec, meta: { title?: string; source: string; runIds: string[] }): SavedFigure {
  const id = newId('fig')
  const title = meta.title?.trim() || spec.title || `${spec.kind} figure`
  db.prepare('INSERT INTO figures (id, title, kind, source, run_ids, spec, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    id,
    title,
    spec.kind,
    meta.source,
    JSON.stringify(meta.runIds),
    Buffer.from(encodeFrame(spec)),
    new Date().toISOString()
  )
  return getFigure(db, id)
}

export function listFigures(db: WorkspaceDb): SavedFigure[] {
  const rows = db.prepare('SELECT id, title, kind, source, run_ids, text, created_at FROM figures ORDER BY created_at DESC, id').all() as FigureRow[]
  return rows.map((r) => toFigure(db, r))
}

function figureRow(db: WorkspaceDb, id: string): FigureRow | undefined {
  return db.prepare('SELECT id, title, kind, source, run_ids, text, created_at FROM figures WHERE id = ?').get(id) as FigureRow | undefined
}

export function getFigure(db: WorkspaceDb, id: string): SavedFigure {
  const row = figureRow(db, id)
  if (!row) throw new ApiError('not_found', `no figure with id "${id}" in this workspace; "featurelens figures list" shows the saved figures`)
  return toFigure(db, row)
}

export function hasFigure(db: WorkspaceDb, id: string): boolean {
  return figureRow(db, id) !== undefined
}

/** The figure as it was made, before the user's words. */
export function generatedSpec(db: WorkspaceDb, id: string): FigureSpec {
  const row = db.prepare('SELECT spec FROM figures WHERE id = ?').get(id) as { spec: Buffer } | undefined
  if (!row) throw new ApiError('not_found', `no figure with id "${id}" in this workspace; "featurelens figures list" shows the saved figures`)
  return decodeFrame(new Uint8Array(row.spec)) as FigureSpec
}

/** The figure as every export and composition draws it: with the user's words. */
export function figureSpec(db: WorkspaceDb, id: string): FigureSpec {
  return applyFigureText(generatedSpec(db, id), getFigure(db, id).text)
}

/**
 * Sets the words a user chose for a saved figure (they replace the generated ones in every
 * export and composition); the figure-set entry's title follows the figure's.
 */
export function setFigureText(db: WorkspaceDb, id: string, text: FigureText): SavedFigure {
  const figure = getFigure(db, id)
  // Words that name no part of the figure (a legend entry for no series) are refused here, not at export.
  const generated = generatedSpec(db, id)
  const drawn = applyFigureText(generated, text)
  const title = drawn.title?.trim() || generated.title || figure.title
  db.prepare('UPDATE figures SET text = ?, title = ? WHERE id = ?').run(JSON.stringify(text), title, id)
  return getFigure(db, id)
}

export function deleteFigure(db: WorkspaceDb, id: string): void {
  getFigure(db, id)
  db.prepare('DELETE FROM figures WHERE id = ?').run(id)
}

function toComposition(row: CompositionRow): Composition {
  return { id: row.id, name: row.name, layout: CompositionLayout.parse(JSON.parse(row.layout)), createdAt: row.created_at, updatedAt: row.updated_at }
}

export function listCompositions(db: WorkspaceDb): Composition[] {
  return (db.prepare('SELECT * FROM compositions ORDER BY updated_at DESC, id').all() as CompositionRow[]).map(toComposition)
}

export function getComposition(db: WorkspaceDb, id: string): Composition {
  const row = db.prepare('SELECT * FROM compositions WHERE id = ?').get(id) as CompositionRow | undefined
  if (!row) throw new ApiError('not_found', `no composition with id "${id}" in this workspace; "featurelens figures list" shows the compositions`)
  return toComposition(row)
}

export function saveComposition(db: WorkspaceDb, input: { id?: string; name: string; layout: CompositionLayoutInput }): Composition {
  const layout = CompositionLayout.parse(input.layout)
  const now = new Date().toISOString()
  if (input.id) {
    getComposition(db, input.id)
    db.prepare('UPDATE compositions SET name = ?, layout = ?, updated_at = ? WHERE id = ?').run(input.name, JSON.stringify(layout), now, input.id)
    return getComposition(db, input.id)
  }
  const id = newId('comp')
  db.prepare('INSERT INTO compositions (id, name, layout, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(id, input.name, JSON.stringify(layout), now, now)
  return getComposition(db, id)
}

export function duplicateComposition(db: WorkspaceDb, id: string): Composition {
  const source = getComposition(db, id)
  return saveComposition(db, { name: `${source.name} (copy)`, layout: source.layout })
}

export function deleteComposition(db: WorkspaceDb, id: string): void {
  getComposition(db, id)
  db.prepare('DELETE FROM compositions WHERE id = ?').run(id)
}

import { z } from 'zod'
import { FigureTextSchema } from '../figures/figureText'
import { ExportOptions, FigureSpec } from '../figure'
import { Composition, CompositionLayout, ExportedFile, SavedFigure } from '../figureSet'

const id = z.object({ id: z.string().min(1) }).strict()

export const figureMethods = {
  /** The figure set: every saved figure, newest first, with runs that have since been deleted. */
  'figures.list': { request: z.object({}).strict(), response: z.array(SavedFigure) },
  /** A saved figure: `spec` as it draws (with the user's words), `generated` as it was made. */
  'figures.get': { request: id, response: z.object({ figure: SavedFigure, spec: FigureSpec, generated: FigureSpec }) },
  /** The user's words for a saved figure: title, axis names, legend entries, colour-bar label ("" hides one). */
  'figures.setText': { request: z.object({ id: z.string().min(1), text: FigureTextSchema }).strict(), response: SavedFigure },
  /** "Add to figure set": keeps the spec so the figure re-renders later. */
  'figures.save': {
    request: z.object({ spec: FigureSpec, title: z.string().max(300).optional(), source: z.string().max(200).default(''), runIds: z.array(z.string()).max(8).default([]) }).strict(),
    response: SavedFigure
  },
  'figures.delete': { request: id, response: z.object({ deleted: z.string() }) },
  /** Renders a figure (given inline, or saved by id) to SVG, PNG, PDF or its data. */
  'figures.export': {
    request: z.object({ spec: FigureSpec.optional(), id: z.string().min(1).optional(), options: ExportOptions }).strict(),
    response: ExportedFile
  },
  'compositions.list': { request: z.object({}).strict(), response: z.array(Composition) },
  'compositions.get': { request: id, response: Composition },
  /** Creates (no id) or updates a composition. */
  'compositions.save': { request: z.object({ id: z.string().min(1).optional(), name: z.string().min(1, 'name: give the composition a name').max(200), layout: CompositionLayout }).strict(), response: Composition },
  'compositions.duplicate': { request: id, response: Composition },
  'compositions.delete': { request: id, response: z.object({ deleted: z.string() }) },
  'compositions.export': {
    request: z.object({ id: z.string().min(1), options: ExportOptions }).strict(),
    response: ExportedFile
  }
} as const

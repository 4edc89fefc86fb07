import { exportComposition, exportSavedOrGiven } from '../engine/figures/exportSaved'
import {
  deleteComposition,
  deleteFigure,
  duplicateComposition,
  figureSpec,
  generatedSpec,
  setFigureText,
  getComposition,
  getFigure,
  listCompositions,
  listFigures,
  saveComposition,
  saveFigure
} from '../engine/store/figureStore'
import type { Handler } from './router'

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
  'figures.export': (request, { db }) => exportSavedOrGiven(db, request),
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

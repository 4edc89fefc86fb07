import type * as tf from '@tensorflow/tfjs'
import type { ArchitectureTable } from '../../../src-shared/architecture'
import { planFromModel } from '../models/planFromModel'
import { architectureTable, type TableOptions } from './receptiveField'

/**
 * The table of a real tfjs model, e.g. an imported one: reads its layer graph, runs nothing.
 * Kept apart from receptiveField.ts so tabulating a spec never loads tfjs.
 */
export function architectureTableFromModel(model: tf.LayersModel, options: TableOptions = {}): ArchitectureTable {
  return architectureTable(planFromModel(model), options)
}

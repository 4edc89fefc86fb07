import type * as tf from '@tensorflow/tfjs'
import type { ArchitectureTable } from '../../../../src-shared/architecture'
import type { ModelInputShape, ModelSpec, OutputActivation } from '../../../../src-shared/model'
import { importModel } from '../../models/importModel'
import { planFromModel } from '../../models/planFromModel'
import { planModel } from '../../models/architectures/registry'
import { architectureTable, type TableOptions } from './receptiveField'

/**
 * The table of a real tfjs model, e.g. an imported one: reads its layer graph, runs nothing.
 * Kept apart from receptiveField.ts so tabulating a spec never loads tfjs.
 */
export function architectureTableFromModel(model: tf.LayersModel, options: TableOptions = {}): ArchitectureTable {
  return architectureTable(planFromModel(model), options)
}

/**
 * The table of the model a run trains, from its spec and validated input (validateModelFit).
 * A built-in architecture is tabulated from its plan, allocating no weights; an imported one
 * has to be loaded (with its new head) to read its graph, and is disposed afterwards.
 */
export async function architectureTableForSpec(
  spec: ModelSpec,
  input: ModelInputShape,
  numOutputs: number,
  outputActivation: OutputActivation
): Promise<ArchitectureTable> {
  if (spec.name !== 'import') return architectureTable(planModel({ name: spec.name, widthMultiplier: spec.widthMultiplier, batchNorm: spec.batchNorm }, input, numOutputs, outputActivation))
  const model = await importModel(spec.importPath as string, { numOutputs, outputActivation, freezeBase: spec.freezeBase, seed: 0 })
  try {
    return architectureTableFromModel(model, { input })
  } finally {
    model.dispose()
  }
}

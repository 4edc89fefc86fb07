import type * as tf from '@tensorflow/tfjs'
import type { ModelInputShape, ModelSpec, OutputActivation } from '../../../src-shared/model'
import { importModel } from './importModel'
import { modelFromPlan } from './modelFromPlan'
import { planModel, type BuiltinSpec } from './registry'

/** Builds a built-in architecture; the seed fixes every initial weight. */
export function buildBuiltinModel(
  spec: BuiltinSpec,
  input: ModelInputShape,
  numOutputs: number,
  outputActivation: OutputActivation,
  seed: number
): tf.LayersModel {
  return modelFromPlan(planModel(spec, input, numOutputs, outputActivation), seed)
}

/**
 * The one entry point the training job uses: a built-in architecture or an imported model with
 * a new head. Validate first (validateModelFit) and pass the input shape it returns.
 * The seed fixes every freshly initialised weight, so two runs of a pair start identical.
 */
export async function buildModel(
  spec: ModelSpec,
  input: ModelInputShape,
  numOutputs: number,
  outputActivation: OutputActivation,
  seed: number
): Promise<tf.LayersModel> {
  if (spec.name === 'import') {
    if (!spec.importPath) throw new Error('an imported model needs importPath; run validateModelFit first')
    return importModel(spec.importPath, { numOutputs, outputActivation, freezeBase: spec.freezeBase, seed })
  }
  return buildBuiltinModel(spec as ModelSpec & { name: Exclude<ModelSpec['name'], 'import'> }, input, numOutputs, outputActivation, seed)
}

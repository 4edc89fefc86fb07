import * as tf from '@tensorflow/tfjs'
import type { ModelInputShape, ModelSpec, OutputActivation } from '../../../src-shared/model'
import { ApiError } from '../../../src-shared/errors'
import { loadRunModel } from './storedModel'
import type { WorkspaceDb } from '../store/database'
import { lastCompleteEpoch } from '../store/epochStore'
import { importModel, replaceHead, type HeadOptions } from './importModel'
import { modelFromPlan } from './modelFromPlan'
import { planModel, type BuiltinSpec } from './architectures/registry'

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
 * A run's network at its last epoch as the start of a new run (fine-tuning an opened model):
 * with its own head when `keepHead` (the dataset must have as many classes), else a new head
 * as for an imported folder. An opened model's preprocessing layer stays fixed in front.
 */
async function modelFromRun(db: WorkspaceDb, runId: string, head: HeadOptions, keepHead: boolean): Promise<tf.LayersModel> {
  const last = lastCompleteEpoch(db, runId)
  if (last === null) throw new ApiError('bad_input', `model.fromRun: run ${runId} has no stored epoch to start from`)
  const model = await loadRunModel(db, runId, last)
  if (keepHead) {
    const outputs = model.outputs[0].shape[1]
    if (model.outputs.length !== 1 || outputs !== head.numOutputs) {
      model.dispose()
      throw new ApiError('bad_input', `model.keepHead: run ${runId} has ${outputs} outputs but the dataset needs ${head.numOutputs}; train a new head instead (leave keepHead off)`)
    }
    const last = model.layers[model.layers.length - 1]
    const activation = last.getClassName() === 'Softmax' ? 'softmax' : (last.getConfig() as { activation?: unknown }).activation
    if (activation === head.outputActivation) return model
    // A head that ends in logits gets the activation the loss expects.
    const probabilities = tf.layers.activation({ activation: head.outputActivation, name: 'probabilities' }).apply(model.outputs[0]) as tf.SymbolicTensor
    return tf.model({ inputs: model.inputs, outputs: probabilities, name: model.name })
  }
  const tuned = replaceHead(model, head)
  return tuned
}

/**
 * The one entry point the training job uses: a built-in architecture or an imported model with
 * a new head, or a stored run to continue from (`fromRun`, with `db`). Validate first
 * (validateModelFit) and pass the input shape it returns.
 * The seed fixes every freshly initialised weight, so two runs of a pair start identical.
 */
export async function buildModel(
  spec: ModelSpec,
  input: ModelInputShape,
  numOutputs: number,
  outputActivation: OutputActivation,
  seed: number,
  db?: WorkspaceDb
): Promise<tf.LayersModel> {
  if (spec.name === 'import' && spec.fromRun !== undefined) {
    if (!db) throw new Error('starting from a run needs the workspace database')
    return modelFromRun(db, spec.fromRun, { numOutputs, outputActivation, freezeBase: spec.freezeBase, seed }, spec.keepHead === true)
  }
  if (spec.name === 'import') {
    if (!spec.importPath) throw new Error('an imported model needs importPath; run validateModelFit first')
    return importModel(spec.importPath, { numOutputs, outputActivation, freezeBase: spec.freezeBase, seed })
  }
  return buildBuiltinModel(spec, input, numOutputs, outputActivation, seed)
}

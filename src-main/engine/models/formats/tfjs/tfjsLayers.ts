import * as tf from '@tensorflow/tfjs'
import { modelFromTopology } from '../../modelFromTopology'
import { readModelJson } from './modelJson'
import { readManifestWeights } from './tfjsWeights'

/**
 * Loads a TF.js Layers model folder (model.json + shards) with its weights, checking every file
 * before reading it and every weight against its layer. Nothing is read synchronously.
 */
export async function loadModelFromDisk(location: string): Promise<tf.LayersModel> {
  const { path, json } = await readModelJson(location)
  const { specs, data } = await readManifestWeights(path, json.weightsManifest)
  return modelFromTopology(json.modelTopology, () => ({ byName: tf.io.decodeWeights(data, specs) }), { where: path, what: 'TF.js Layers model' })
}

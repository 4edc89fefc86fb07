import * as tf from '@tensorflow/tfjs'
import { stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { readMetadataJson } from '../../classNames'
import { modelFromTopology } from '../../modelFromTopology'
import type { ModelFileFormat } from '../format'
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

/**
 * TF.js Layers folders (tensorflowjs_converter, Teachable Machine): model.json with its weight
 * files, and class names from a metadata.json beside it. A graph model.json is refused when read
 * (modelJson.ts), with the command that converts a Keras model to layers.
 */
export const tfjsLayersFormat: ModelFileFormat = {
  format: 'tfjs',
  label: 'TF.js Layers',
  detect: (probe) => probe.isDirectory || probe.extension === '.json',
  async open(path) {
    const model = await loadModelFromDisk(path)
    const folder = (await stat(path)).isDirectory() ? path : dirname(path)
    const metadata = await readMetadataJson(join(folder, 'metadata.json')).catch((err: unknown) => {
      model.dispose()
      throw err
    })
    return {
      model,
      preprocessed: false,
      // Teachable Machine's image models take -1..1.
      defaultPreprocess: metadata?.teachableMachine ? { scale: 'symmetric', channelOrder: 'rgb' } : { scale: 'unit', channelOrder: 'rgb' },
      classNames: metadata?.names ? { names: metadata.names, from: 'metadata.json' } : null
    }
  }
}

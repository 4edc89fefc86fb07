import * as tf from '@tensorflow/tfjs'
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { readModelJson, resolveModelJsonPath } from './modelJson'
import { readManifestWeights } from './tfjsWeights'

const WEIGHTS_FILE = 'weights.bin'


function writeAtomically(path: string, data: string | Uint8Array): void {
  const partial = `${path}.partial`
  writeFileSync(partial, data)
  renameSync(partial, path)
}

/**
 * A TF.js IOHandler on the local file system for plain Node (tfjs-node has one, but it is an
 * optional native accelerator that may not load). Load reads model.json and its shards;
 * save writes model.json and one weights.bin. Loading checks every file first (readModelJson). Pass it to tf.loadLayersModel or model.save.
 */
export function fileSystemHandler(location: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const { path, json } = await readModelJson(location)
      const { specs, data } = await readManifestWeights(path, json.weightsManifest)
      return tf.io.getModelArtifactsForJSON(json, async () => [specs, data])
    },

    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('saving binary (graph) topologies is not supported')
      const path = resolveModelJsonPath(location)
      const dir = path.endsWith('.json') ? dirname(path) : path
      const jsonPath = path.endsWith('.json') ? path : join(dir, 'model.json')
      mkdirSync(dir, { recursive: true })
      const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData)
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }]
      }
      if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig
      if (artifacts.userDefinedMetadata) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata
      // Weights first: a model.json on disk always refers to complete weights.
      writeAtomically(join(dir, WEIGHTS_FILE), new Uint8Array(weightData))
      writeAtomically(jsonPath, JSON.stringify(modelJson))
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) }
    }
  }
}

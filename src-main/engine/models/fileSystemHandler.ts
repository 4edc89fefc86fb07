import * as tf from '@tensorflow/tfjs'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { ApiError } from '../../../src-shared/errors'
import { readModelJson, resolveModelJsonPath } from './modelJson'

const WEIGHTS_FILE = 'weights.bin'

function readShards(modelJsonPath: string, manifest: tf.io.WeightsManifestConfig): [tf.io.WeightsManifestEntry[], ArrayBuffer] {
  const specs: tf.io.WeightsManifestEntry[] = []
  const buffers: ArrayBuffer[] = []
  for (const group of manifest) {
    for (const shard of group.paths) {
      const shardPath = join(dirname(modelJsonPath), shard)
      if (!existsSync(shardPath)) throw new ApiError('bad_input', `weight file ${shardPath} listed in ${modelJsonPath} is missing`)
      const bytes = readFileSync(shardPath)
      buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
    }
    specs.push(...group.weights)
  }
  return [specs, tf.io.CompositeArrayBuffer.join(buffers)]
}

function writeAtomically(path: string, data: string | Uint8Array): void {
  const partial = `${path}.partial`
  writeFileSync(partial, data)
  renameSync(partial, path)
}

/**
 * A TF.js IOHandler on the local file system for plain Node (tfjs-node has one, but it is an
 * optional native accelerator that may not load). Load reads model.json and its shards;
 * save writes model.json and one weights.bin. Pass it to tf.loadLayersModel or model.save.
 */
export function fileSystemHandler(location: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const { path, json } = readModelJson(location)
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => readShards(path, manifest))
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

import * as tf from '@tensorflow/tfjs'
import { dirname, resolve } from 'node:path'
import { ApiError } from '../../../../../src-shared/errors'
import { checkModelFile, MAX_WEIGHT_BYTES, readModelFile } from '../../modelFiles'

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 }

function entryBytes(entry: tf.io.WeightsManifestEntry, path: string): number {
  if (!Array.isArray(entry.shape) || entry.shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ApiError('bad_input', `${path}: weight "${String(entry.name)}" has the shape ${JSON.stringify(entry.shape)}, which is not a list of whole numbers`)
  }
  const dtype = entry.quantization?.dtype ?? entry.dtype
  const bytes = DTYPE_BYTES[dtype]
  if (bytes === undefined) throw new ApiError('bad_input', `${path}: weight "${entry.name}" has the data type "${String(dtype)}", which Featurelens cannot read`)
  return entry.shape.reduce((n, d) => n * d, 1) * bytes
}

/**
 * The weight specs and bytes a model.json's manifest lists: every shard checked (inside the
 * model folder, a regular file, within the size budget) before any is read, and the bytes
 * present equal to what the specs describe.
 */
export async function readManifestWeights(modelJsonPath: string, manifest: unknown): Promise<{ specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer }> {
  if (!Array.isArray(manifest)) throw new ApiError('bad_input', `${modelJsonPath} has no "weightsManifest" list; export the model with its weights`)
  const folder = dirname(modelJsonPath)
  const specs: tf.io.WeightsManifestEntry[] = []
  const shards: { path: string; size: number }[] = []
  let total = 0
  for (const group of manifest as tf.io.WeightsManifestConfig) {
    if (group === null || typeof group !== 'object' || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new ApiError('bad_input', `${modelJsonPath}: each "weightsManifest" entry needs "paths" and "weights" lists`)
    }
    for (const shard of group.paths) {
      if (typeof shard !== 'string' || shard.length === 0) throw new ApiError('bad_input', `${modelJsonPath}: a weight file path in "weightsManifest" is not a file name`)
      const shardPath = resolve(folder, shard)
      const { size } = await checkModelFile(shardPath, { what: 'weight file', maxBytes: MAX_WEIGHT_BYTES - total, within: folder, missingHint: `it is listed in ${modelJsonPath}` })
      total += size
      shards.push({ path: shardPath, size })
    }
    specs.push(...group.weights)
  }
  const expected = specs.reduce((n, s) => n + entryBytes(s, modelJsonPath), 0)
  if (expected !== total) {
    throw new ApiError('bad_input', `${modelJsonPath}: the weight files hold ${total} bytes but "weightsManifest" describes ${expected}; a weight file is truncated or belongs to another model`)
  }
  const data = new Uint8Array(total)
  let at = 0
  for (const shard of shards) {
    const bytes = await readModelFile(shard.path, { what: 'weight file', maxBytes: shard.size, within: folder })
    if (bytes.length !== shard.size) throw new ApiError('bad_input', `weight file ${shard.path} changed while it was read; try again`)
    data.set(bytes, at)
    at += bytes.length
  }
  return { specs, data: data.buffer }
}

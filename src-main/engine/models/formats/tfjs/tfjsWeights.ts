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

/**
 * Sets a freshly built model's weights from decoded tensors, matching by name and checking
 * every shape: a missing, extra or misshapen weight is an error naming it.
 */
export function assignWeights(model: tf.LayersModel, named: tf.NamedTensorMap, path: string): void {
  const used = new Set<string>()
  const values = model.weights.map((w) => {
    const tensor = named[w.originalName] ?? named[w.name]
    if (!tensor) throw new ApiError('bad_input', `${path}: the layer weight "${w.originalName}" has no values in the weight files`)
    used.add(named[w.originalName] ? w.originalName : w.name)
    if (!tf.util.arraysEqual(tensor.shape, w.shape as number[])) {
      throw new ApiError('bad_input', `${path}: the weight "${w.originalName}" has the shape [${tensor.shape.join(', ')}] in the weight files but the model's layer needs [${w.shape.join(', ')}]`)
    }
    return tensor
  })
  const extra = Object.keys(named).filter((n) => !used.has(n))
  if (extra.length) {
    throw new ApiError('bad_input', `${path}: the weight files hold ${extra.map((n) => `"${n}"`).slice(0, 5).join(', ')}${extra.length > 5 ? ' and more' : ''}, which no layer of the model has; the weights belong to another model`)
  }
  model.setWeights(values)
}

/**
 * A copy of a Keras/TF.js topology whose weight initializers are all zeros: building the layers
 * then costs no random numbers, and pages of a huge mistaken weight are never touched. Every
 * weight is overwritten from the files afterwards.
 */
export function withZeroInitializers(topology: unknown): unknown {
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit)
    if (value === null || typeof value !== 'object') return value
    const out: Record<string, unknown> = {}
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      out[key] = key.endsWith('_initializer') && inner !== null && typeof inner === 'object' ? { class_name: 'Zeros', config: {} } : visit(inner)
    }
    return out
  }
  return visit(topology)
}

/**
 * Builds a tfjs model from a translated topology and its weights by name (ONNX, Keras files):
 * zero initializers, then every weight set and checked. A failure disposes what was built.
 */
export async function modelFromTranslation(topology: unknown, weights: Map<string, { shape: number[]; data: Float32Array }>, path: string, what = 'translated model'): Promise<tf.LayersModel> {
  let model: tf.LayersModel
  try {
    model = await tf.models.modelFromJSON({ modelTopology: withZeroInitializers(topology) as tf.io.ModelJSON['modelTopology'] })
  } catch (err) {
    throw new ApiError('bad_input', `${path}: the ${what} cannot be built (${err instanceof Error ? err.message : String(err)})`)
  }
  const named: tf.NamedTensorMap = {}
  try {
    for (const [name, w] of weights) named[name] = tf.tensor(w.data, w.shape, 'float32')
    assignWeights(model, named, path)
  } catch (err) {
    model.dispose()
    throw err
  } finally {
    tf.dispose(Object.values(named))
  }
  return model
}

import * as tf from '@tensorflow/tfjs'
import { unzipSync, type UnzipFileInfo } from 'fflate'
import { ApiError } from '../../../../../src-shared/errors'
import { MAX_MODEL_JSON_BYTES, MAX_SMALL_FILE_BYTES, MAX_WEIGHT_BYTES, readModelFile } from '../../modelFiles'
import { checkDeclaredInput, checkLayerClasses, declaredInputShape } from '../tfjs/modelJson'
import { modelFromTopology } from '../../modelFromTopology'
import { isZip, type ModelFileFormat } from '../format'
import { withHdf5 } from './hdf5'
import { fromKeras3Config, weightPaths } from './keras3Config'

/** The entries Featurelens reads from a .keras archive, with the most each may hold uncompressed. */
const ENTRY_LIMITS: Record<string, number> = {
  'config.json': MAX_MODEL_JSON_BYTES,
  'metadata.json': MAX_SMALL_FILE_BYTES,
  'model.weights.h5': MAX_WEIGHT_BYTES
}
const MAX_ENTRIES = 10_000

/**
 * Reads config.json, metadata.json and model.weights.h5 from a Keras 3 archive. Entry types,
 * counts and declared sizes are checked before anything is inflated (a zip bomb is refused by
 * its directory), and the inflated sizes are checked against the declared ones.
 */
export function readKerasArchive(bytes: Uint8Array, path: string): Map<string, Uint8Array> {
  let entries = 0
  const names = new Set<string>()
  const declared = new Map<string, number>()
  const check = (file: UnzipFileInfo): boolean => {
    if (++entries > MAX_ENTRIES) throw new ApiError('bad_input', `${path} holds more than ${MAX_ENTRIES} entries; it is not a Keras model archive`)
    names.add(file.name)
    const limit = ENTRY_LIMITS[file.name]
    if (limit === undefined) return false // assets and other entries are not read
    if (file.compression !== 0 && file.compression !== 8) {
      throw new ApiError('bad_input', `${path}: "${file.name}" is compressed with method ${file.compression}; Featurelens reads stored or deflated entries (as Keras writes them)`)
    }
    if (file.originalSize > limit) {
      throw new ApiError('bad_input', `${path}: "${file.name}" would inflate to ${file.originalSize} bytes, more than the ${limit} Featurelens reads`)
    }
    declared.set(file.name, file.originalSize)
    return true
  }
  let files: Record<string, Uint8Array>
  try {
    files = unzipSync(bytes, { filter: check })
  } catch (err) {
    if (err instanceof ApiError) throw err
    throw new ApiError('bad_input', `${path} is a damaged zip archive (it cannot be read as a .keras file); save the model again with model.save("model.keras")`)
  }
  const out = new Map<string, Uint8Array>()
  for (const [name, data] of Object.entries(files)) {
    if (data.length !== declared.get(name)) throw new ApiError('bad_input', `${path}: "${name}" inflates to ${data.length} bytes, not the ${declared.get(name)} its directory declares; the archive is damaged`)
    out.set(name, data)
  }
  if (!out.has('config.json')) throw new ApiError('bad_input', `${path} has no config.json; it is not a Keras 3 model archive (save the model with model.save("model.keras"))`)
  if (!out.has('model.weights.h5')) {
    throw new ApiError('bad_input', `${path} has no model.weights.h5${names.has('model.weights.npz') ? ' (its weights are in model.weights.npz, which Featurelens does not read)' : ''}; save the model with model.save("model.keras"), which stores its weights as HDF5`)
  }
  return out
}

function parseJson(bytes: Uint8Array, path: string, name: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch {
    throw new ApiError('bad_input', `${path}: its ${name} is not valid JSON; save the model again`)
  }
}

/** A dataset's float values, or null when the node is missing or not a float dataset. */
function floats(node: unknown): { shape: number[]; data: Float32Array } | null {
  const ds = node as { shape?: number[] | null; value?: unknown } | null
  const value = ds?.value
  if (!(value instanceof Float32Array) && !(value instanceof Float64Array)) return null
  return { shape: ds?.shape ?? [], data: value instanceof Float32Array ? value : Float32Array.from(value) }
}

/**
 * Opens a Keras 3 `.keras` archive as a tfjs model with its weights. The config is translated to
 * the Keras 2 form tfjs-layers builds; each layer's variables are read from
 * layers/<snake-case class name, numbered>/vars/0..n in model.weights.h5, as Keras 3 saves them.
 */
export async function loadKeras3Model(path: string): Promise<tf.LayersModel> {
  const bytes = await readModelFile(path, { what: 'Keras file', maxBytes: MAX_WEIGHT_BYTES })
  const entries = readKerasArchive(bytes, path)
  const raw = parseJson(entries.get('config.json') as Uint8Array, path, 'config.json')
  const config = fromKeras3Config(raw, path)
  const known = new Set(Object.keys(tf.serialization.SerializationMap.getMap().classNameMap))
  checkLayerClasses(config, path, known)
  checkDeclaredInput(declaredInputShape(config), path)

  const paths = weightPaths(config)
  const values = await withHdf5(entries.get('model.weights.h5') as Uint8Array, `${path} (model.weights.h5)`, (file) => {
    const out = new Map<string, { shape: number[]; data: Float32Array }[]>()
    for (const { layer, group } of paths) {
      const vars = file.get(`${group}/vars`) as { keys?: () => string[] } | null
      const keys = vars?.keys?.() ?? []
      const list: { shape: number[]; data: Float32Array }[] = []
      for (let i = 0; i < keys.length; i++) {
        const value = floats(file.get(`${group}/vars/${i}`))
        if (!value) throw new ApiError('bad_input', `${path}: model.weights.h5 has no float variable ${group}/vars/${i} for layer "${layer}" (its variables must be numbered 0 to ${keys.length - 1})`)
        list.push(value)
      }
      out.set(layer, list)
    }
    return out
  })

  return modelFromTopology(
    config,
    (model) => {
      const named: tf.NamedTensorMap = {}
      for (const { layer, group } of paths) {
        const weights = model.getLayer(layer).weights
        const stored = values.get(layer) ?? []
        if (stored.length !== weights.length) {
          throw new ApiError('bad_input', `${path}: layer "${layer}" has ${weights.length} weights but model.weights.h5 holds ${stored.length} under ${group}/vars; the weights belong to another model`)
        }
        weights.forEach((w, i) => (named[w.originalName] = tf.tensor(stored[i].data, stored[i].shape, 'float32')))
      }
      return { byName: named }
    },
    { where: path, what: 'Keras model' }
  )
}

/** Keras 3 archives (model.save("model.keras")): a zip, whatever its extension says. */
export const keras3Format: ModelFileFormat = {
  format: 'keras',
  label: 'Keras 3 (.keras)',
  detect: (probe) => !probe.isDirectory && (probe.extension === '.keras' || ((probe.extension === '.h5' || probe.extension === '.hdf5') && isZip(probe.head))),
  async open(path) {
    return { model: await loadKeras3Model(path), preprocessed: false, defaultPreprocess: { scale: 'unit', channelOrder: 'rgb' }, classNames: null }
  }
}

import * as tf from '@tensorflow/tfjs'
import { randomBytes } from 'node:crypto'
import { ApiError } from '../../../../../src-shared/errors'
import { checkDeclaredInput, checkLayerClasses, declaredInputShape } from '../tfjs/modelJson'
import { MAX_WEIGHT_BYTES, readModelFile } from '../../modelFiles'
import { modelFromTopology, namedTensors } from '../../modelFromTopology'
import { loadKeras3Model } from './keras3'

type H5 = typeof import('h5wasm')

let h5: Promise<{ lib: H5; fs: { writeFile(path: string, data: Uint8Array): void; unlink(path: string): void } }> | null = null

/** h5wasm's in-memory build: the file's bytes are read here (checked, without blocking) and handed over. */
function hdf5(): Promise<{ lib: H5; fs: { writeFile(path: string, data: Uint8Array): void; unlink(path: string): void } }> {
  h5 ??= import('h5wasm').then(async (lib) => {
    const module = (await lib.ready) as unknown as { FS: { writeFile(path: string, data: Uint8Array): void; unlink(path: string): void } }
    return { lib, fs: module.FS }
  })
  return h5
}

type H5File = InstanceType<H5['File']>
type H5Group = ReturnType<H5File['get']>

/** Opens HDF5 bytes; the callback reads them, and the in-memory file is removed afterwards. */
export async function withHdf5<T>(bytes: Uint8Array, path: string, read: (file: H5File) => T): Promise<T> {
  const { lib, fs } = await hdf5()
  if (bytes.length < 8 || Buffer.from(bytes.subarray(0, 8)).toString('latin1') !== '\x89HDF\r\n\x1a\n') {
    throw new ApiError('bad_input', `${path} is not an HDF5 file (it lacks the HDF5 signature); give a Keras .h5 file saved with model.save`)
  }
  const name = `/featurelens-${randomBytes(6).toString('hex')}.h5`
  fs.writeFile(name, bytes)
  let file: H5File | null = null
  try {
    try {
      file = new lib.File(name, 'r')
    } catch {
      throw new ApiError('bad_input', `${path} is a damaged HDF5 file; save the model again`)
    }
    try {
      return read(file)
    } catch (err) {
      if (err instanceof ApiError) throw err
      throw new ApiError('bad_input', `${path} is a damaged or incomplete HDF5 file (it cannot be read to the end); save the model again`)
    }
  } finally {
    file?.close()
    fs.unlink(name)
  }
}

const text = (v: unknown): string => (typeof v === 'string' ? v : v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : String(v))
const strings = (v: unknown): string[] => {
  if (Array.isArray(v)) return v.map(text)
  if (v === null || v === undefined || (ArrayBuffer.isView(v) && !(v instanceof Uint8Array))) return [] // an empty list is stored as an empty float array
  return [text(v)]
}

function attribute(node: { attrs: Record<string, { value: unknown }> } | null, name: string): unknown {
  return node?.attrs?.[name]?.value
}

function datasetValues(node: H5Group, what: string, path: string): { shape: number[]; data: Float32Array } {
  const ds = node as unknown as { shape: number[] | null; value: unknown; dtype: unknown }
  const value = ds?.value
  if (!(value instanceof Float32Array) && !(value instanceof Float64Array)) throw new ApiError('bad_input', `${path}: weight ${what} is not a float dataset`)
  return { shape: ds.shape ?? [], data: value instanceof Float32Array ? value : Float32Array.from(value) }
}

/** Keras 2 .h5: model_config and model_weights/<layer>/<weight_name> (hdf5_format.py). */
function readKeras2(file: H5File, path: string): { config: unknown; weights: Map<string, { shape: number[]; data: Float32Array }> } {
  const rawConfig = attribute(file as never, 'model_config')
  if (rawConfig === undefined) {
    throw new ApiError('bad_input', `${path} has no "model_config" attribute: it holds weights only (model.save_weights); save the whole model with model.save("model.h5")`)
  }
  let config: unknown
  try {
    config = JSON.parse(text(rawConfig))
  } catch {
    throw new ApiError('bad_input', `${path}: its "model_config" attribute is not valid JSON; save the model again`)
  }
  const group = file.get('model_weights') ?? file
  const weights = new Map<string, { shape: number[]; data: Float32Array }>()
  for (const layer of strings(attribute(group as never, 'layer_names'))) {
    const layerGroup = (group as unknown as { get(p: string): H5Group }).get(layer)
    for (const weightName of strings(attribute(layerGroup as never, 'weight_names'))) {
      const node = (layerGroup as unknown as { get(p: string): H5Group | null }).get(weightName)
      if (!node) throw new ApiError('bad_input', `${path}: weight "${weightName}" of layer "${layer}" is listed but missing`)
      weights.set(weightName.replace(/:\d+$/, ''), datasetValues(node, weightName, path))
    }
  }
  return { config, weights }
}

/**
 * Opens a Keras 2 .h5 model file (or a Keras 3 .keras archive, loadKeras3.ts) as a tfjs model with its weights (the config in the file's
 * attributes, the weights under model_weights). Unsupported layers are named before anything
 * is built.
 */
export async function loadKerasModel(path: string): Promise<tf.LayersModel> {
  const bytes = await readModelFile(path, { what: 'Keras file', maxBytes: MAX_WEIGHT_BYTES })
  if (bytes.subarray(0, 2).toString('latin1') === 'PK') return loadKeras3Model(bytes, path, withHdf5) // a Keras 3 .keras zip
  const { config, weights } = await withHdf5(bytes, path, (file) => readKeras2(file, path))
  const known = new Set(Object.keys(tf.serialization.SerializationMap.getMap().classNameMap))
  checkLayerClasses(config, path, known)
  checkDeclaredInput(declaredInputShape(config), path)
  return modelFromTopology(config, () => ({ byName: namedTensors(weights) }), { where: path, what: 'Keras model' })
}

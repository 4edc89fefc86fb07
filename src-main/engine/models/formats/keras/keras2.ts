import * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../../../src-shared/errors'
import { checkDeclaredInput, checkLayerClasses, declaredInputShape } from '../tfjs/modelJson'
import { MAX_WEIGHT_BYTES, readModelFile } from '../../modelFiles'
import { modelFromTopology, namedTensors } from '../../modelFromTopology'
import { isZip, type ModelFileFormat } from '../format'
import { withHdf5, type H5File, type H5Group } from './hdf5'

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
 * Opens a Keras 2 .h5 model file as a tfjs model with its weights (the config in the file's
 * attributes, the weights under model_weights). Unsupported layers are named before anything
 * is built.
 */
export async function loadKeras2Model(path: string): Promise<tf.LayersModel> {
  const bytes = await readModelFile(path, { what: 'Keras file', maxBytes: MAX_WEIGHT_BYTES })
  const { config, weights } = await withHdf5(bytes, path, (file) => readKeras2(file, path))
  const known = new Set(Object.keys(tf.serialization.SerializationMap.getMap().classNameMap))
  checkLayerClasses(config, path, known)
  checkDeclaredInput(declaredInputShape(config), path)
  return modelFromTopology(config, () => ({ byName: namedTensors(weights) }), { where: path, what: 'Keras model' })
}

/** Keras 2 HDF5 files (model.save("model.h5")); a .h5 that is a zip is a Keras 3 archive (keras3.ts). */
export const keras2Format: ModelFileFormat = {
  format: 'keras',
  label: 'Keras 2 (.h5)',
  detect: (probe) => !probe.isDirectory && (probe.extension === '.h5' || probe.extension === '.hdf5') && !isZip(probe.head),
  async open(path) {
    return { model: await loadKeras2Model(path), preprocessed: false, defaultPreprocess: { scale: 'unit', channelOrder: 'rgb' }, classNames: null }
  }
}

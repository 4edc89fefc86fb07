import type * as tf from '@tensorflow/tfjs'
import { stat } from 'node:fs/promises'
import { dirname, extname, join, resolve } from 'node:path'
import { ApiError } from '../../../src-shared/errors'
import type { ModelSource, OpenedModelFormat, Preprocess } from '../../../src-shared/model'
import { chooseClassNames, classNamesFromJson, readLabelsFile, readMetadataJson, type ClassNames } from './classNames'
import { loadModelFromDisk } from './formats/tfjs/tfjsLayers'
import { loadKerasModel } from './formats/keras/keras2'
import { loadOnnxModel } from './formats/onnx/onnxFormat'
import { prependPreprocess } from './preprocess'

export interface OpenModelOptions {
  labels?: string
  inputSize?: number
  preprocess?: Preprocess
}

export interface OpenedModel {
  /** With the `preprocess` layer in front: what a model run stores. */
  model: tf.LayersModel
  source: ModelSource
}

/** The format of a model path: a TF.js folder or model.json, an .onnx file, a Keras .h5/.keras file. */
export async function modelFormat(path: string): Promise<OpenedModelFormat> {
  const info = await stat(path).catch(() => null)
  if (!info) throw new ApiError('bad_input', `${path} does not exist; give a TF.js model folder, a model.json, an .onnx, .h5 or .keras file`)
  if (info.isDirectory()) return 'tfjs'
  const ext = extname(path).toLowerCase()
  if (ext === '.json') return 'tfjs'
  if (ext === '.onnx') return 'onnx'
  if (ext === '.h5' || ext === '.keras' || ext === '.hdf5') return 'keras'
  throw new ApiError('bad_input', `${path}: Featurelens opens TF.js folders (model.json), .onnx (PyTorch's torch.onnx.export), .h5 and .keras files; "${ext || 'no extension'}" is none of them`)
}

function lastActivation(model: tf.LayersModel): string | null {
  const layer = model.layers[model.layers.length - 1]
  const className = layer.getClassName()
  if (className === 'Softmax') return 'softmax'
  const activation = (layer.getConfig() as { activation?: unknown }).activation
  return typeof activation === 'string' ? activation : null
}

/**
 * Opens a model file as it is: its own weights and head, its class names (labels file,
 * metadata.json, the file's metadata, else numbered) and its preprocessing (given, or the
 * format's usual one), with the preprocessing as a fixed first layer.
 */
export async function openModelFile(location: string, options: OpenModelOptions = {}): Promise<OpenedModel> {
  const path = resolve(location)
  const format = await modelFormat(path)
  let raw: tf.LayersModel
  let fileNames: ClassNames | null = null
  let metadataNames: ClassNames | null = null
  let defaultPreprocess: Preprocess = { scale: 'unit', channelOrder: 'rgb' }
  let producer: string | undefined
  let preprocessed = false
  if (format === 'onnx') {
    // torchvision models take ImageNet-normalised RGB (other channel counts: 0..1). The layer is built with the graph.
    const byChannels = (c: number): Preprocess => (c === 3 ? { scale: 'torch', channelOrder: 'rgb' } : { scale: 'unit', channelOrder: 'rgb' })
    const opened = await loadOnnxModel(path, { inputSize: options.inputSize, preprocess: options.preprocess ?? byChannels })
    raw = opened.model
    if (opened.translation.preprocess) defaultPreprocess = opened.translation.preprocess
    preprocessed = true
    producer = opened.producer || undefined
    for (const key of ['classes', 'labels', 'class_names']) {
      const text = opened.metadata.get(key)
      if (!text) continue
      let names: string[] | null = null
      try {
        names = classNamesFromJson(JSON.parse(text))
      } catch {
        names = text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean)
      }
      if (names) fileNames = { names, from: `the ONNX file's "${key}" metadata` }
      break
    }
  } else if (format === 'tfjs') {
    raw = await loadModelFromDisk(path)
    const folder = (await stat(path)).isDirectory() ? path : dirname(path)
    const metadata = await readMetadataJson(join(folder, 'metadata.json')).catch((err: unknown) => {
      raw.dispose()
      throw err
    })
    if (metadata?.names) metadataNames = { names: metadata.names, from: 'metadata.json' }
    // Teachable Machine's image models take -1..1.
    if (metadata?.teachableMachine) defaultPreprocess = { scale: 'symmetric', channelOrder: 'rgb' }
  } else {
    raw = await loadKerasModel(path)
  }
  try {
    if (raw.outputs.length !== 1 || raw.outputs[0].shape.length !== 2) {
      throw new ApiError('bad_input', `${path}: the model's output has the shape [${raw.outputs.map((o) => o.shape.slice(1).join(', ')).join('], [')}]; Featurelens opens classifiers with one output of N classes`)
    }
    const outputs = raw.outputs[0].shape[1] as number
    const labels = options.labels ? await readLabelsFile(options.labels) : null
    const classes = chooseClassNames(outputs, [labels, metadataNames, fileNames], path)
    const preprocess = options.preprocess ?? defaultPreprocess
    const [, declaredH, declaredW, c] = raw.inputs[0].shape
    const size = options.inputSize
    if (size !== undefined && declaredH !== null && declaredW !== null && (declaredH !== size || declaredW !== size)) {
      throw new ApiError('bad_input', `--input-size: the model at ${path} is fixed at ${declaredH}×${declaredW} px; leave --input-size out`)
    }
    const h = declaredH ?? size
    const w = declaredW ?? size
    if (h === undefined || w === undefined || c === null) {
      throw new ApiError('bad_input', `${path} takes images of any size; give the size it was trained at (--input-size)`)
    }
    const activation = lastActivation(raw)
    const model = preprocessed ? raw : prependPreprocess(raw, preprocess, [h, w])
    const source: ModelSource = {
      path,
      format,
      classNames: classes.names,
      classNamesFrom: classes.from,
      preprocess,
      input: { height: h, width: w, channels: c },
      outputs: activation === 'softmax' || activation === 'sigmoid' ? 'probabilities' : 'logits',
      producer
    }
    return { model, source }
  } catch (err) {
    if (preprocessed) raw.dispose()
    throw err
  } finally {
    if (!preprocessed) raw.dispose()
  }
}

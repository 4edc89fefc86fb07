import type * as tf from '@tensorflow/tfjs'
import { resolve } from 'node:path'
import { ApiError } from '../../../src-shared/errors'
import type { ModelSource, Preprocess } from '../../../src-shared/model'
import { chooseClassNames, readLabelsFile } from './classNames'
import { detectModelFormat } from './formats/registry'
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
  const format = await detectModelFormat(path)
  const read = await format.open(path, { inputSize: options.inputSize, preprocess: options.preprocess })
  const { model: raw, preprocessed } = read
  try {
    if (raw.outputs.length !== 1 || raw.outputs[0].shape.length !== 2) {
      throw new ApiError('bad_input', `${path}: the model's output has the shape [${raw.outputs.map((o) => o.shape.slice(1).join(', ')).join('], [')}]; Featurelens opens classifiers with one output of N classes`)
    }
    const outputs = raw.outputs[0].shape[1] as number
    const labels = options.labels ? await readLabelsFile(options.labels) : null
    const classes = chooseClassNames(outputs, [labels, read.classNames], path)
    const preprocess = options.preprocess ?? read.defaultPreprocess
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
      format: format.format,
      classNames: classes.names,
      classNamesFrom: classes.from,
      preprocess,
      input: { height: h, width: w, channels: c },
      outputs: activation === 'softmax' || activation === 'sigmoid' ? 'probabilities' : 'logits',
      producer: read.producer
    }
    return { model, source }
  } catch (err) {
    if (preprocessed) raw.dispose()
    throw err
  } finally {
    if (!preprocessed) raw.dispose()
  }
}

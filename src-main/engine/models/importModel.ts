import * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../src-shared/errors'
import type { OutputActivation } from '../../../src-shared/model'
import { loadModelFromDisk } from './formats/tfjs/tfjsLayers'
import { layerSeed } from './modelFromPlan'

export interface HeadOptions {
  numOutputs: number
  outputActivation: OutputActivation
  /** Keep the pretrained layers fixed; only the new head trains. */
  freezeBase: boolean
  seed: number
}

const HEAD_NAME = 'predictions'

/**
 * The tensor the old classifier reads. A trailing Dense (possibly followed by a separate
 * softmax/activation layer) is the classifier; a model without one (a Keras base exported with
 * include_top=False) keeps everything and gets the head on its output.
 */
function classifierInput(model: tf.LayersModel): { features: tf.SymbolicTensor; removed: string[] } {
  let tensor = model.outputs[0]
  const removed: string[] = []
  let layer = tensor.sourceLayer
  const feeding = (l: tf.layers.Layer) => l.inboundNodes[tensor.nodeIndex].inputTensors[0]
  if (['Activation', 'Softmax'].includes(layer.getClassName()) && feeding(layer).sourceLayer.getClassName() === 'Dense') {
    removed.push(layer.name)
    tensor = feeding(layer)
    layer = tensor.sourceLayer
  }
  if (layer.getClassName() === 'Dense') {
    removed.push(layer.name)
    return { features: feeding(layer), removed }
  }
  return { features: model.outputs[0], removed: [] }
}

/**
 * Replaces the classifier of a (pretrained) model with a fresh Dense(numOutputs) for
 * fine-tuning, as seed 004 does with an ImageNet VGG-19. Image-shaped features are averaged
 * over space first so the head's size does not depend on the input size.
 */
export function replaceHead(model: tf.LayersModel, options: HeadOptions): tf.LayersModel {
  if (model.outputs.length !== 1) {
    throw new ApiError('bad_input', `model "${model.name}" has ${model.outputs.length} outputs; only single-output models can get a new head`)
  }
  const { features, removed } = classifierInput(model)
  const kept = model.layers.filter((l) => !removed.includes(l.name))
  if (kept.some((l) => l.name === HEAD_NAME)) {
    throw new ApiError('bad_input', `model "${model.name}" already has a layer named "${HEAD_NAME}" that is not its classifier; rename it before importing`)
  }
  if (options.freezeBase) for (const layer of kept) layer.trainable = false

  let x = features
  if (x.shape.length === 4) x = tf.layers.globalAveragePooling2d({ name: 'head_pool' }).apply(x) as tf.SymbolicTensor
  else if (x.shape.length !== 2) x = tf.layers.flatten({ name: 'head_flatten' }).apply(x) as tf.SymbolicTensor
  const head = tf.layers.dense({
    name: HEAD_NAME,
    units: options.numOutputs,
    activation: options.outputActivation,
    kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed(options.seed, HEAD_NAME) }),
    biasInitializer: 'zeros'
  })
  const output = head.apply(x) as tf.SymbolicTensor
  return tf.model({ inputs: model.inputs, outputs: output, name: model.name })
}

/** Loads a model folder and gives it a new head: the `import` architecture. */
export async function importModel(location: string, options: HeadOptions): Promise<tf.LayersModel> {
  return replaceHead(await loadModelFromDisk(location), options)
}

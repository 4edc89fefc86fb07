import * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../src-shared/errors'
import { Preprocess, type PreprocessScale } from '../../../src-shared/model'

/** The layer an opened model gets in front: a fixed 1×1 convolution, shown in Inspect. */
export const PREPROCESS_LAYER = 'preprocess'

const IMAGENET_MEAN = [0.485, 0.456, 0.406]
const IMAGENET_STD = [0.229, 0.224, 0.225]
/** Caffe's mean in BGR order, on 0..255 (Keras' imagenet_utils). */
const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68]

const aliases: Record<string, PreprocessScale> = { unit: 'unit', '[0,1]': 'unit', '0..1': 'unit', symmetric: 'symmetric', '[-1,1]': 'symmetric', '-1..1': 'symmetric', tf: 'symmetric', raw: 'raw', '[0,255]': 'raw', '0..255': 'raw', torch: 'torch', caffe: 'caffe' }

/** Parses `--preprocess`: a scale (unit/[0,1], symmetric/[-1,1], raw/[0,255], torch, caffe), optionally ",bgr". */
export function parsePreprocess(text: string): Preprocess {
  // The scale may hold a comma itself ("[-1,1]"); the channel order is what follows it.
  const match = /^\s*(\[[^\]]*\]|[^,]+?)\s*(?:,\s*([a-z]+))?\s*$/i.exec(text)
  const scale = match ? aliases[match[1].replace(/\s+/g, '').toLowerCase()] : undefined
  const order = match?.[2]?.toLowerCase()
  if (!scale || (order !== undefined && order !== 'rgb' && order !== 'bgr')) {
    throw new ApiError('invalid_request', `--preprocess: "${text}" is not a preprocessing; use [0,1], [-1,1], [0,255], torch or caffe, optionally followed by ",bgr" (e.g. "[-1,1],bgr")`)
  }
  return Preprocess.parse({ scale, channelOrder: scale === 'caffe' ? 'bgr' : (order ?? 'rgb') })
}

/** How a person reads it: "torch (ImageNet mean/std), RGB". */
export function describePreprocess(p: Preprocess): string {
  const scale = { unit: '[0, 1]', symmetric: '[-1, 1]', raw: '[0, 255]', torch: 'ImageNet mean/std (torch)', caffe: '0..255 minus ImageNet mean (caffe)' }[p.scale]
  return `${scale}, ${p.channelOrder.toUpperCase()}`
}

/**
 * The 1×1 kernel [1, 1, C, C] and bias that map a 0..1 image to the model's input:
 * out[o] = Σ kernel[i][o] · in[i] + bias[o], with the channel order swapped for BGR.
 */
export function preprocessWeights(p: Preprocess, channels: number): { kernel: Float32Array; bias: Float32Array } {
  if ((p.scale === 'torch' || p.scale === 'caffe' || p.channelOrder === 'bgr') && channels !== 3) {
    throw new ApiError('bad_input', `preprocessing "${p.scale}, ${p.channelOrder}" is for RGB images but the model takes ${channels} channel${channels === 1 ? '' : 's'}; use [0,1], [-1,1] or [0,255]`)
  }
  const kernel = new Float32Array(channels * channels)
  const bias = new Float32Array(channels)
  for (let o = 0; o < channels; o++) {
    const i = p.channelOrder === 'bgr' ? channels - 1 - o : o
    let scale = 1
    let shift = 0
    if (p.scale === 'symmetric') [scale, shift] = [2, -1]
    else if (p.scale === 'raw') scale = 255
    else if (p.scale === 'torch') [scale, shift] = [1 / IMAGENET_STD[i], -IMAGENET_MEAN[i] / IMAGENET_STD[i]]
    else if (p.scale === 'caffe') [scale, shift] = [255, -CAFFE_MEAN_BGR[o]]
    kernel[i * channels + o] = scale
    bias[o] = shift
  }
  return { kernel, bias }
}

/** A new layer with the same class and config (and so the same name), not yet applied. */
function cloneLayer(layer: tf.layers.Layer): tf.layers.Layer {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()] as
    | [tf.serialization.SerializableConstructor<tf.serialization.Serializable>, tf.serialization.FromConfigMethod<tf.serialization.Serializable>]
    | undefined
  if (!entry) throw new ApiError('bad_input', `layer "${layer.name}" has the class ${layer.getClassName()}, which tfjs cannot rebuild`)
  return entry[1](entry[0], layer.getConfig()) as tf.layers.Layer
}

/**
 * The model with a fixed `preprocess` layer in front, so every view and the training job feed
 * it 0..1 images as they do any run. Each layer is rebuilt from its config with its weights;
 * layer names are kept. `size` fixes a model that takes any height and width.
 */
export function prependPreprocess(model: tf.LayersModel, p: Preprocess, size?: [number, number]): tf.LayersModel {
  if (model.inputs.length !== 1) throw new ApiError('bad_input', `the model has ${model.inputs.length} inputs; Featurelens opens models with one image input`)
  const [, declaredH, declaredW, c] = model.inputs[0].shape
  const [h, w] = [declaredH ?? size?.[0], declaredW ?? size?.[1]]
  if (model.inputs[0].shape.length !== 4 || !h || !w || !c) {
    throw new ApiError('bad_input', `the model takes input of shape [${model.inputs[0].shape.slice(1).join(', ')}], not an image [height, width, channels]`)
  }
  if (model.layers.some((l) => l.name === PREPROCESS_LAYER)) throw new ApiError('bad_input', `the model already has a layer named "${PREPROCESS_LAYER}"`)
  const { kernel, bias } = preprocessWeights(p, c)
  const inputName = model.inputLayers[0]?.name ?? 'input'
  const input = tf.input({ shape: [h, w, c], name: inputName })
  const pre = tf.layers.conv2d({ name: PREPROCESS_LAYER, filters: c, kernelSize: 1, useBias: true, trainable: false })
  const mapped = new Map<number, tf.SymbolicTensor>([[model.inputs[0].id, pre.apply(input) as tf.SymbolicTensor]])
  pre.setWeights([tf.tensor4d(kernel, [1, 1, c, c]), tf.tensor1d(bias)])
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue
    if (layer.inboundNodes.length !== 1) throw new ApiError('bad_input', `layer "${layer.name}" is applied ${layer.inboundNodes.length} times; Featurelens opens models whose layers are used once`)
    const inputs = layer.inboundNodes[0].inputTensors.map((t) => {
      const m = mapped.get(t.id)
      if (!m) throw new Error(`layer "${layer.name}" reads a tensor computed after it`)
      return m
    })
    const fresh = cloneLayer(layer)
    const out = fresh.apply(inputs.length === 1 ? inputs[0] : inputs) as tf.SymbolicTensor
    fresh.setWeights(layer.getWeights())
    fresh.trainable = layer.trainable
    mapped.set((layer.output as tf.SymbolicTensor).id, out)
  }
  const outputs = model.outputs.map((o) => mapped.get(o.id) as tf.SymbolicTensor)
  return tf.model({ inputs: input, outputs, name: model.name })
}

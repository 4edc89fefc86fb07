/**
 * A run's network evaluated layer by layer, so the explanation methods can change what the
 * backward pass does at each ReLU (plain gradient, guided backpropagation, Zeiler & Fergus's
 * deconvnet), start from a chosen layer's activations (Grad-CAM), and stop at the class
 * scores before the softmax or sigmoid. Works on any tfjs functional model: chains (LeNet,
 * VGG) and graphs with merges (ResNet).
 */
import * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../../src-shared/errors'

/** What the backward pass does at a ReLU. */
export type ReluRule = 'gradient' | 'guided' | 'deconvnet'

const reluWith = new Map<ReluRule, (x: tf.Tensor) => tf.Tensor>()

/**
 * ReLU whose gradient follows `rule`:
 * - gradient: dy·[x > 0] (the true gradient);
 * - guided: dy·[x > 0]·[dy > 0] (Springenberg et al. 2015);
 * - deconvnet: max(dy, 0), the rectified signal regardless of the forward input (Zeiler & Fergus 2014).
 */
export function customRelu(rule: ReluRule): (x: tf.Tensor) => tf.Tensor {
  let fn = reluWith.get(rule)
  if (!fn) {
    fn = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [x, save] = args as [tf.Tensor, tf.GradSaveFunc]
      save([x])
      return {
        value: tf.relu(x),
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
          if (Array.isArray(dy)) throw new Error('ReLU has one output')
          const [input] = saved
          if (rule === 'deconvnet') return tf.relu(dy)
          const open = tf.cast(tf.greater(input, 0), dy.dtype)
          return rule === 'guided' ? tf.mul(tf.mul(dy, open), tf.cast(tf.greater(dy, 0), dy.dtype)) : tf.mul(dy, open)
        }
      }
    })
    reluWith.set(rule, fn)
  }
  return fn
}

interface LayerConfig {
  activation?: string
  strides?: number | number[]
  padding?: 'valid' | 'same'
  dilationRate?: number | number[]
  useBias?: boolean
  dataFormat?: string
}

const pair = (v: number | number[] | undefined): [number, number] => (Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v ?? 1, v ?? 1])

/** The layer's output before its own activation, for the layer kinds whose activation is fused. */
function linearPart(layer: tf.layers.Layer, x: tf.Tensor): tf.Tensor | null {
  const config = layer.getConfig() as LayerConfig
  const weights = layer.getWeights()
  const className = layer.getClassName()
  if (className === 'Conv2D' && (config.dataFormat ?? 'channelsLast') === 'channelsLast') {
    let y = tf.conv2d(x as tf.Tensor4D, weights[0] as tf.Tensor4D, pair(config.strides), config.padding ?? 'valid', 'NHWC', pair(config.dilationRate))
    if (config.useBias !== false && weights[1]) y = tf.add(y, weights[1])
    return y
  }
  if (className === 'Dense' && x.rank === 2) {
    let y = tf.matMul(x as tf.Tensor2D, weights[0] as tf.Tensor2D)
    if (config.useBias !== false && weights[1]) y = tf.add(y, weights[1])
    return y
  }
  return null
}

function activationOf(layer: tf.layers.Layer): string {
  const className = layer.getClassName()
  if (className === 'ReLU') return 'relu'
  const config = layer.getConfig() as LayerConfig
  return typeof config.activation === 'string' ? config.activation : 'linear'
}

/** A ReLU layer without a cap, a leak or a threshold: max(x, 0). */
function plainRelu(layer: tf.layers.Layer): boolean {
  if (layer.getClassName() !== 'ReLU') return true
  const c = layer.getConfig() as { maxValue?: number | null; negativeSlope?: number; threshold?: number }
  return c.maxValue == null && !c.negativeSlope && !c.threshold
}

function inboundNames(layer: tf.layers.Layer): string[] {
  const node = layer.inboundNodes[0]
  return node ? node.inboundLayers.map((l) => l.name) : []
}

export interface GraphRun {
  /** The class scores before the output activation, [n, outputs]. */
  logits: tf.Tensor2D
  /** The output activation they go through: softmax or sigmoid (a linear head's logits are read as softmax/sigmoid scores). */
  outputActivation: string
  outputs: Map<string, tf.Tensor>
}

/**
 * Evaluates the model on `x` layer by layer. `given` replaces layers' outputs (so a gradient
 * can start there); ReLUs use `rule` in the backward pass. Call inside tf.tidy or tf.grad.
 */
export function runGraph(model: tf.LayersModel, x: tf.Tensor, rule: ReluRule, given: Map<string, tf.Tensor> = new Map()): GraphRun {
  if (model.outputs.length !== 1) throw new ApiError('bad_input', `the model has ${model.outputs.length} outputs; explanations need a classifier with one output`)
  const relu = customRelu(rule)
  const outputs = new Map<string, tf.Tensor>()
  const last = model.layers[model.layers.length - 1]
  let logits: tf.Tensor | null = null
  let outputActivation = 'linear'
  for (const layer of model.layers) {
    if (given.has(layer.name)) {
      outputs.set(layer.name, given.get(layer.name)!)
      if (layer === last) logits = given.get(layer.name)!
      continue
    }
    if (layer.getClassName() === 'InputLayer') {
      outputs.set(layer.name, x)
      continue
    }
    const inputs = inboundNames(layer).map((name) => {
      const t = outputs.get(name)
      if (!t) throw new ApiError('bad_input', `layer "${layer.name}" reads "${name}", which is not evaluated before it; the model's layer order is not topological`)
      return t
    })
    const input = inputs.length === 1 ? inputs[0] : inputs
    const activation = activationOf(layer)
    const isLast = layer === last
    let out: tf.Tensor
    if (layer.getClassName() === 'Activation' || layer.getClassName() === 'ReLU' || (isLast && layer.getClassName() === 'Softmax')) {
      const before = input as tf.Tensor
      if (isLast && layer.getClassName() === 'Softmax') {
        // A Softmax layer (how ONNX graphs end when exported with their softmax).
        logits = before
        outputActivation = 'softmax'
        out = layer.apply(before) as tf.Tensor
      } else if (isLast && (activation === 'softmax' || activation === 'sigmoid')) {
        logits = before
        outputActivation = activation
        out = layer.apply(before) as tf.Tensor
      } else out = activation === 'relu' && plainRelu(layer) ? relu(before) : (layer.apply(before) as tf.Tensor)
    } else {
      const linear = activation === 'linear' ? null : linearPart(layer, input as tf.Tensor)
      if (linear && activation === 'relu') out = relu(linear)
      else if (linear && isLast && (activation === 'softmax' || activation === 'sigmoid')) {
        logits = linear
        outputActivation = activation
        out = activation === 'softmax' ? tf.softmax(linear) : tf.sigmoid(linear)
      } else out = layer.apply(input, { training: false }) as tf.Tensor
    }
    outputs.set(layer.name, out)
    if (isLast && !logits) logits = out
  }
  const scores = logits as tf.Tensor
  // A linear head (an opened PyTorch or Keras model's logits): its probabilities are the
  // softmax of the scores, or the sigmoid of a single one, as in predict.
  if (outputActivation === 'linear' && scores.rank === 2) outputActivation = scores.shape[1] === 1 ? 'sigmoid' : 'softmax'
  if (scores.rank !== 2) throw new ApiError('bad_input', `the model's output has shape [${scores.shape.join(', ')}]; explanations need class scores [batch, classes]`)
  return { logits: scores as tf.Tensor2D, outputActivation, outputs }
}

/**
 * The score of class `cls` per example, before the output activation. A single sigmoid output
 * is a binary classifier: class 1 scores z and class 0 scores −z (the logit of 1 − p).
 */
export function classScore(logits: tf.Tensor2D, cls: number): tf.Tensor1D {
  const outputs = logits.shape[1]
  if (outputs === 1) {
    const z = tf.reshape(logits, [-1]) as tf.Tensor1D
    return cls === 1 ? z : tf.neg(z)
  }
  return tf.reshape(tf.slice(logits, [0, cls], [-1, 1]), [-1]) as tf.Tensor1D
}

/** Class probabilities [n, classes] from the logits; a sigmoid output becomes [1 − p, p]. */
export function classProbabilities(logits: tf.Tensor2D, outputActivation: string): tf.Tensor2D {
  if (logits.shape[1] === 1) {
    const p = outputActivation === 'sigmoid' ? tf.sigmoid(logits) : logits
    return tf.concat([tf.sub(1, p), p], 1) as tf.Tensor2D
  }
  return outputActivation === 'softmax' ? tf.softmax(logits) : logits
}

/** Number of classes the model tells apart (2 for a single sigmoid output). */
export function classCount(model: tf.LayersModel): number {
  const shape = model.outputs[0].shape
  const n = shape[shape.length - 1] ?? 1
  return n === 1 ? 2 : n
}

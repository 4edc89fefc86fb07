/**
 * A network cut into stages at the candidate layers, so an early exit really skips the deeper
 * layers: stage k runs from the previous cut to candidate layer k, the last stage from the
 * last cut to the output. Each stage is its own tf model sharing the run's layers (and so its
 * weights); the caller keeps the tensor between stages and continues from it.
 */
import * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../../src-shared/errors'

export interface Stage {
  /** The candidate layer this stage ends at, or null for the final stage (the network's output). */
  boundary: string | null
  run(x: tf.Tensor): tf.Tensor
}

const CONV_CLASSES = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D'])

function isChain(model: tf.LayersModel): boolean {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return false
  return model.layers.every((l, i) => {
    if (i === 0) return l.getClassName() === 'InputLayer'
    const inbound = l.inboundNodes
    return inbound.length >= 1 && inbound[0].inboundLayers.length === 1 && inbound[0].inboundLayers[0] === model.layers[i - 1]
  })
}

/** The conv layers whose maps are still spatial (before any flatten): the candidates for an exit. */
export function convLayerNames(model: tf.LayersModel): string[] {
  const names: string[] = []
  for (const layer of model.layers) {
    const shape = layer.outputShape as (number | null)[]
    if (!Array.isArray(shape) || shape.length !== 4) {
      if (layer.getClassName() !== 'InputLayer') break
      continue
    }
    if (CONV_CLASSES.has(layer.getClassName())) names.push(layer.name)
  }
  return names
}

/**
 * Checks the requested candidate layers (default: every conv layer) and returns them in
 * network order. Names the layer and the choices when one cannot be used.
 */
export function candidateLayers(model: tf.LayersModel, requested?: readonly string[]): string[] {
  const convs = convLayerNames(model)
  if (convs.length === 0) {
    throw new ApiError('bad_input', `this run's network has no conv layers with spatial feature maps (its layers are ${model.layers.map((l) => l.name).join(', ')}); early exit and descriptors need a convolutional network`)
  }
  if (!requested || requested.length === 0) return convs
  const order = model.layers.map((l) => l.name)
  for (const name of requested) {
    const index = order.indexOf(name)
    if (index < 0) throw new ApiError('not_found', `layers: the network has no layer "${name}"; its conv layers are ${convs.join(', ')}`)
    const shape = model.layers[index].outputShape as (number | null)[]
    if (shape.length !== 4) throw new ApiError('bad_input', `layers: "${name}" comes after the flatten (its output is [${shape.slice(1).join(', ')}], not a feature map); choose one of ${convs.join(', ')}`)
    if (!convs.includes(name)) throw new ApiError('bad_input', `layers: "${name}" is not a conv layer; choose one of ${convs.join(', ')}`)
  }
  return [...new Set(requested)].sort((a, b) => order.indexOf(a) - order.indexOf(b))
}

/**
 * One inference call of a model on a batch: the graph executed directly (inference mode), without
 * predict()'s loop that slices the batch into 32s and concatenates the outputs. The full network
 * and each stage are run the same way, so their times compare.
 */
export function forward(model: tf.LayersModel, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => model.apply(x, { training: false }) as tf.Tensor)
}

/** Cuts a chain network (no branches) after each of `boundaries`, in network order. */
export function stagedModel(model: tf.LayersModel, boundaries: readonly string[]): Stage[] {
  if (!isChain(model)) throw new ApiError('bad_input', `early exit needs a network without branches (a chain of layers); this run's network has skip connections or several inputs`)
  const order = model.layers.map((l) => l.name)
  const cuts = boundaries.map((b) => order.indexOf(b))
  if (cuts.some((c, i) => c < 1 || (i > 0 && c <= cuts[i - 1]))) throw new ApiError('bad_input', `stage boundaries ${boundaries.join(', ')} must be layers of the network in order`)
  const stages: Stage[] = []
  let start = 1
  for (const [k, end] of [...cuts, model.layers.length - 1].entries()) {
    const inShape = (start === 1 ? model.inputs[0].shape : (model.layers[start - 1].outputShape as (number | null)[])).slice(1) as number[]
    const input = tf.input({ shape: inShape })
    let y: tf.SymbolicTensor = input
    for (let i = start; i <= end; i++) y = model.layers[i].apply(y) as tf.SymbolicTensor
    const part = tf.model({ inputs: input, outputs: y })
    stages.push({ boundary: k < cuts.length ? order[end] : null, run: (x) => forward(part, x) })
    start = end + 1
  }
  return stages
}

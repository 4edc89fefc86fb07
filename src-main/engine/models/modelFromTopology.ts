import * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../src-shared/errors'

/**
 * The values of a built model's weights: by each layer weight's name (a model file's weights),
 * or in the model's own weight order (the weights a run stored).
 */
export type TopologyWeights = { byName: tf.NamedTensorMap } | { inOrder: tf.Tensor[] }

/** Float values with their shape, as the format readers produce them. */
export interface WeightValues {
  shape: number[]
  data: Float32Array
}

export interface TopologyOptions {
  /** The file or run the model comes from, for messages. */
  where: string
  /** What is built, for messages ("TF.js Layers model", "Keras model", "translated ONNX graph"). */
  what: string
}

/**
 * A copy of a Keras/TF.js topology whose weight initializers are all zeros: building the layers
 * then costs no random numbers, and pages of a huge mistaken weight are never touched. Every
 * weight is overwritten afterwards.
 */
export function withZeroInitializers(topology: unknown): unknown {
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit)
    if (value === null || typeof value !== 'object') return value
    const out: Record<string, unknown> = {}
    for (const [key, inner] of Object.entries(value)) {
      out[key] = key.endsWith('_initializer') && inner !== null && typeof inner === 'object' ? { class_name: 'Zeros', config: {} } : visit(inner)
    }
    return out
  }
  return visit(topology)
}

/** Tensors for weights read from a file, keyed as given. */
export function namedTensors(weights: Map<string, WeightValues>): tf.NamedTensorMap {
  const named: tf.NamedTensorMap = {}
  for (const [name, w] of weights) named[name] = tf.tensor(w.data, w.shape, 'float32')
  return named
}

const shapeText = (shape: readonly (number | null)[]) => `[${shape.join(', ')}]`
const sameShape = (a: readonly number[], b: readonly (number | null)[]) => a.length === b.length && a.every((d, i) => d === b[i])

/** Matches tensors to the model's weights by name, checking every shape: a missing, extra or misshapen weight is an error naming it. */
function byName(model: tf.LayersModel, named: tf.NamedTensorMap, where: string): tf.Tensor[] {
  const used = new Set<string>()
  const values = model.weights.map((w) => {
    const key = named[w.originalName] ? w.originalName : w.name
    const tensor = named[key]
    if (!tensor) throw new ApiError('bad_input', `${where}: the layer weight "${w.originalName}" has no values in the weight files`)
    used.add(key)
    if (!sameShape(tensor.shape, w.shape)) {
      throw new ApiError('bad_input', `${where}: the weight "${w.originalName}" has the shape ${shapeText(tensor.shape)} in the weight files but the model's layer needs ${shapeText(w.shape)}`)
    }
    return tensor
  })
  const extra = Object.keys(named).filter((n) => !used.has(n))
  if (extra.length) {
    throw new ApiError('bad_input', `${where}: the weight files hold ${extra.map((n) => `"${n}"`).slice(0, 5).join(', ')}${extra.length > 5 ? ' and more' : ''}, which no layer of the model has; the weights belong to another model`)
  }
  return values
}

/** Matches tensors to the model's weights by position, checking the count and every shape. */
function inOrder(model: tf.LayersModel, tensors: tf.Tensor[], where: string): tf.Tensor[] {
  if (tensors.length !== model.weights.length) {
    throw new ApiError('bad_input', `${where}: ${tensors.length} stored weights for a model with ${model.weights.length}; the stored data is inconsistent`)
  }
  model.weights.forEach((w, i) => {
    if (!sameShape(tensors[i].shape, w.shape)) {
      throw new ApiError('bad_input', `${where}: the stored weight ${i} has the shape ${shapeText(tensors[i].shape)} but "${w.originalName}" needs ${shapeText(w.shape)}; the stored data is inconsistent`)
    }
  })
  return tensors
}

/**
 * The one way a model is made from a topology and weights, whatever it was read from (a TF.js
 * folder, an ONNX graph translated to layers, a Keras file, a stored run): the layers are
 * built with zero initializers, then every weight is set and checked. `weights` makes the
 * tensors once the model exists (Keras 3 names them by layer); they are disposed afterwards,
 * and a failure disposes what was built.
 */
export async function modelFromTopology(topology: unknown, weights: (model: tf.LayersModel) => TopologyWeights, options: TopologyOptions): Promise<tf.LayersModel> {
  let model: tf.LayersModel
  try {
    model = await tf.models.modelFromJSON({ modelTopology: withZeroInitializers(topology) as tf.io.ModelJSON['modelTopology'] })
  } catch (err) {
    throw new ApiError('bad_input', `${options.where}: the ${options.what} cannot be built (${err instanceof Error ? err.message : String(err)})`)
  }
  let made: TopologyWeights | null = null
  try {
    // A reader that fails half-way leaves no tensors behind: tidy disposes them.
    made = tf.tidy(() => weights(model))
    model.setWeights('byName' in made ? byName(model, made.byName, options.where) : inOrder(model, made.inOrder, options.where))
  } catch (err) {
    model.dispose()
    throw err
  } finally {
    if (made) tf.dispose('byName' in made ? Object.values(made.byName) : made.inOrder)
  }
  return model
}

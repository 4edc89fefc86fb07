/**
 * A network's layers as representations: which layers CKA compares by default, and their
 * activations over a set of examples as matrices (rows are examples, columns features).
 */
import * as tf from '@tensorflow/tfjs'
import type { LayerInfo } from '../../../../src-shared/compare'
import { ApiError } from '../../../../src-shared/errors'
import type { TaskProgressTracker } from '../../tasks/taskControl'
import type { ExampleImages } from './imageSample'
import type { Matrix } from './matrix'
import { layerActivations } from './layerActivations'

// Layers that carry a representation of their own. Flatten, dropout, batch norm and bare
// activations repeat their input (or a per-channel affine of it, which CKA hardly sees), so
// comparing them too would only stretch the heatmap.
const REPRESENTATION_CLASSES = new Set([
  'Conv2D',
  'DepthwiseConv2D',
  'SeparableConv2D',
  'Dense',
  'MaxPooling2D',
  'AveragePooling2D',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'Add'
])

/** Images per forward pass: large enough to keep the backend busy, small enough for big maps. */
const FORWARD_BATCH = 32

export function modelLayers(model: tf.LayersModel): LayerInfo[] {
  return model.layers
    .filter((l) => l.getClassName() !== 'InputLayer')
    .map((l) => {
      const out = l.outputShape as (number | null)[] | (number | null)[][]
      const shape = (Array.isArray(out[0]) ? out[0] : out) as (number | null)[]
      return { name: l.name, className: l.getClassName(), shape: shape.slice(1).map((d) => d ?? 0), representation: REPRESENTATION_CLASSES.has(l.getClassName()) }
    })
}

/** Features per example of a layer's output: the product of its shape. */
export function featureCount(layer: LayerInfo): number {
  return layer.shape.reduce((a, b) => a * b, 1)
}

/** The layers to compare: the requested names (checked) or every representation layer. */
export function chooseLayers(layers: LayerInfo[], requested: string[] | undefined, runLabel: string): LayerInfo[] {
  if (!requested) return layers.filter((l) => l.representation)
  return requested.map((name) => {
    const layer = layers.find((l) => l.name === name)
    if (!layer) throw new ApiError('invalid_request', `layers: run ${runLabel} has no layer "${name}"; its layers are ${layers.map((l) => l.name).join(', ')}`)
    return layer
  })
}

/**
 * Calls `visit` for consecutive batches of rows start..end with each requested layer's output
 * as a matrix (float32, batch rows). The tensors are disposed after each call.
 */
export async function forEachActivationBatch(
  model: tf.LayersModel,
  images: ExampleImages,
  layers: string[],
  rows: [number, number],
  visit: (first: number, acts: Matrix[]) => void | Promise<void>,
  progress?: TaskProgressTracker
): Promise<void> {
  const { height, width, channels } = images.shape
  const size = height * width * channels
  for (let start = rows[0]; start < rows[1]; start += FORWARD_BATCH) {
    const count = Math.min(FORWARD_BATCH, rows[1] - start)
    const x = tf.tensor4d(images.x.subarray(start * size, (start + count) * size), [count, height, width, channels])
    let outputs: Map<string, tf.Tensor>
    try {
      outputs = layerActivations(model, x, layers)
    } finally {
      x.dispose()
    }
    try {
      const acts: Matrix[] = []
      for (const name of layers) {
        const t = outputs.get(name)!
        const data = (await t.data()) as Float32Array
        acts.push({ rows: count, cols: data.length / count, data })
      }
      await visit(start, acts)
    } finally {
      tf.dispose([...outputs.values()])
    }
    await progress?.step(0)
  }
}

/** Every requested layer's activations for rows start..end, as one matrix per layer. */
export async function activationMatrices(model: tf.LayersModel, images: ExampleImages, layers: LayerInfo[], rows: [number, number], progress?: TaskProgressTracker): Promise<Matrix[]> {
  const n = rows[1] - rows[0]
  const out = layers.map((l) => ({ rows: n, cols: featureCount(l), data: new Float32Array(n * featureCount(l)) }))
  await forEachActivationBatch(
    model,
    images,
    layers.map((l) => l.name),
    rows,
    (first, acts) => {
      acts.forEach((m, i) => out[i].data.set(m.data, (first - rows[0]) * out[i].cols))
    },
    progress
  )
  return out
}

/**
 * Splits layers into groups whose activations for n examples fit `budgetBytes` together, so a
 * wide network is run once per group instead of holding every layer's activations at once.
 */
export function layerGroups(layers: LayerInfo[], n: number, budgetBytes: number): LayerInfo[][] {
  const groups: LayerInfo[][] = []
  let current: LayerInfo[] = []
  let bytes = 0
  for (const layer of layers) {
    const need = n * featureCount(layer) * 4
    if (current.length && bytes + need > budgetBytes) {
      groups.push(current)
      current = []
      bytes = 0
    }
    current.push(layer)
    bytes += need
  }
  if (current.length) groups.push(current)
  return groups
}

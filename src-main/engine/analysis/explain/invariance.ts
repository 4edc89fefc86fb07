/**
 * Invariance curves (Zeiler & Fergus 2014, Fig. 5): images are translated vertically, scaled
 * or rotated by a range of amounts; for each amount, the Euclidean distance between the feature
 * vectors of the original and the transformed image at an early and a late layer, and the
 * probability of the true class. One curve per image, and their mean.
 */
import * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../../src-shared/errors'
import type { InvarianceTransform } from '../../../../src-shared/explain'
import type { ModelInputShape } from '../../../../src-shared/model'
import { TaskProgressTracker, type TaskControl } from '../../tasks/taskControl'
import { classProbabilities, runGraph } from './layerGraph'
import { warpImage } from './resample'

export const transformUnits: Record<InvarianceTransform, string> = { translate: 'pixels down', scale: 'scale factor', rotate: 'degrees' }

export interface InvarianceCurves {
  transform: InvarianceTransform
  amounts: number[]
  layers: string[]
  /** [layer][image][amount]: ‖f(T x) − f(x)‖₂. */
  distance: number[][][]
  /** [image][amount]: P(true class | T x). */
  probability: number[][]
  /** Means over images, [layer][amount] and [amount]. */
  meanDistance: number[][]
  meanProbability: number[]
}

/** Evenly spaced amounts from `from` to `to`, both included. */
export function amountsBetween(transform: InvarianceTransform, from: number, to: number, steps: number): number[] {
  if (!Number.isFinite(from) || !Number.isFinite(to) || from > to) throw new ApiError('invalid_request', `range: ${from} to ${to} is not a range; give from ≤ to`)
  if (!Number.isInteger(steps) || steps < 2 || steps > 101) throw new ApiError('invalid_request', `steps: ${steps}; give 2 to 101 steps`)
  if (transform === 'scale' && from <= 0) throw new ApiError('invalid_request', `range: a scale factor of ${from} is not a size; scale factors must be above 0`)
  return Array.from({ length: steps }, (_, i) => from + ((to - from) * i) / (steps - 1))
}

/** The image transformed by `amount` about its centre; the border pixels repeat outside it. */
export function transformImage(image: Float32Array, shape: ModelInputShape, transform: InvarianceTransform, amount: number): Float32Array {
  const { height: H, width: W, channels: C } = shape
  const cx = (W - 1) / 2
  const cy = (H - 1) / 2
  if (transform === 'translate') return warpImage(image, H, W, C, (x, y) => [x, y - amount])
  if (transform === 'scale') return warpImage(image, H, W, C, (x, y) => [cx + (x - cx) / amount, cy + (y - cy) / amount])
  const t = (amount * Math.PI) / 180
  const [cos, sin] = [Math.cos(t), Math.sin(t)]
  // Counter-clockwise by `amount` degrees on screen (y points down): read the input at R(−θ)·(p − c).
  return warpImage(image, H, W, C, (x, y) => [cx + cos * (x - cx) - sin * (y - cy), cy + sin * (x - cx) + cos * (y - cy)])
}

function forward(model: tf.LayersModel, x: tf.Tensor4D, layers: string[]): tf.Tensor[] {
  return tf.tidy(() => {
    const run = runGraph(model, x, 'gradient')
    return [...layers.map((l) => tf.reshape(run.outputs.get(l)!, [x.shape[0], -1])), classProbabilities(run.logits, run.outputActivation)]
  })
}

export async function invariance(model: tf.LayersModel, images: Float32Array, labels: number[], shape: ModelInputShape, transform: InvarianceTransform, amounts: number[], layers: string[], control: TaskControl = {}): Promise<InvarianceCurves> {
  const names = model.layers.map((l) => l.name)
  for (const l of layers) if (!names.includes(l) || model.getLayer(l).getClassName() === 'InputLayer') throw new ApiError('invalid_request', `layers: the model has no layer "${l}"; its layers are ${names.slice(1).join(', ')}`)
  const n = labels.length
  const size = shape.height * shape.width * shape.channels
  const progress = new TaskProgressTracker(amounts.length * n, control, 'the invariance curves')
  const x0 = tf.tensor4d(images.subarray(0, n * size), [n, shape.height, shape.width, shape.channels])
  const base = forward(model, x0, layers)
  x0.dispose()
  const baseFeatures = await Promise.all(base.slice(0, layers.length).map(async (t) => (await t.data()) as Float32Array))
  const classes = base[base.length - 1].shape[1] ?? 1
  tf.dispose(base)
  for (const label of labels) if (label < 0 || label >= classes) throw new ApiError('invalid_request', `label: ${label} is out of range; the model tells apart classes 0..${classes - 1}`)

  const distance = layers.map(() => Array.from({ length: n }, () => new Array<number>(amounts.length).fill(0)))
  const probability = Array.from({ length: n }, () => new Array<number>(amounts.length).fill(0))
  const batch = new Float32Array(n * size)
  progress.stage(`${transform}, ${amounts.length} amounts`)
  for (const [a, amount] of amounts.entries()) {
    for (let i = 0; i < n; i++) batch.set(transformImage(images.subarray(i * size, (i + 1) * size), shape, transform, amount), i * size)
    const x = tf.tensor4d(batch, [n, shape.height, shape.width, shape.channels])
    const outs = forward(model, x, layers)
    x.dispose()
    for (const [l] of layers.entries()) {
      const f = (await outs[l].data()) as Float32Array
      const dim = f.length / n
      for (let i = 0; i < n; i++) {
        let s = 0
        for (let d = 0; d < dim; d++) s += (f[i * dim + d] - baseFeatures[l][i * dim + d]) ** 2
        distance[l][i][a] = Math.sqrt(s)
      }
    }
    const p = (await outs[outs.length - 1].data()) as Float32Array
    for (let i = 0; i < n; i++) probability[i][a] = p[i * classes + labels[i]]
    tf.dispose(outs)
    await progress.step(n)
  }
  progress.finish()
  const mean = (rows: number[][]): number[] => amounts.map((_, a) => rows.reduce((s, r) => s + r[a], 0) / rows.length)
  return { transform, amounts, layers, distance, probability, meanDistance: distance.map(mean), meanProbability: mean(probability) }
}

/** Default layers: the first conv layer and the last hidden layer before the classifier. */
export function defaultInvarianceLayers(model: tf.LayersModel): [string, string] {
  const hidden = model.layers.filter((l) => l.getClassName() !== 'InputLayer').slice(0, -1)
  const early = hidden.find((l) => /Conv/.test(l.getClassName())) ?? hidden[0]
  const late = [...hidden].reverse().find((l) => ['Dense', 'Conv2D', 'Flatten', 'GlobalAveragePooling2D', 'MaxPooling2D'].includes(l.getClassName())) ?? hidden.at(-1)
  if (!early || !late) throw new ApiError('bad_input', 'the model has no hidden layer to measure feature distances at')
  return [early.name, late.name]
}

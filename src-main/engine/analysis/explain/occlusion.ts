/**
 * Occlusion sensitivity (Zeiler & Fergus 2014, Fig. 7): a square of one colour slides over the
 * image; at each position the network sees the occluded image and we record (a) the total
 * activation of the feature map of a chosen layer that is strongest for the unoccluded image,
 * (b) the probability of the correct class, (c) the most probable class.
 */
import * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../../src-shared/errors'
import type { ModelInputShape } from '../../../../src-shared/model'
import { argmax } from '../core/argmax'
import { TaskProgressTracker, type TaskControl } from '../../tasks/taskControl'
import { spatialLayer } from './gradientMaps'
import { classProbabilities, runGraph } from './layerGraph'

export interface OcclusionOptions {
  /** Side of the square in pixels. */
  patch: number
  stride: number
  /** Fill value in 0..1 for every channel, or "mean" for the image's mean colour. */
  fill: number | 'mean'
  /** Layer for map (a). */
  layer: string
  /** The class whose probability is mapped (the true class, or the predicted one). */
  cls: number
  /** Occluded images per forward pass. */
  batchSize?: number
}

export interface OcclusionResult {
  patch: number
  stride: number
  fill: number[]
  /** Occluder positions: the top-left corners, in pixels. */
  tops: number[]
  lefts: number[]
  layer: string
  /** The feature map of (a): the strongest channel for the unoccluded image. */
  channel: number
  /** (a), (b), (c) over occluder positions, row-major tops × lefts. */
  activation: Float32Array
  probability: Float32Array
  label: Int32Array
  /** The same quantities for the unoccluded image. */
  unoccluded: { activation: number; probability: number; label: number; probabilities: Float32Array }
  /**
   * Per input pixel, the mean drop in P(class) over the positions whose square covers it: how
   * much hiding that pixel hurts, at input resolution (what pointing figures are taken from).
   */
  attribution: Float32Array
}

/** Defaults that suit the input size: about a fifth of the image, moved a third of itself. */
export function defaultOcclusion(shape: ModelInputShape): { patch: number; stride: number; fill: number } {
  const patch = Math.max(2, Math.round(Math.min(shape.height, shape.width) / 5))
  return { patch, stride: Math.max(1, Math.round(patch / 3)), fill: 0.5 }
}

export function checkOcclusion(shape: ModelInputShape, patch: number, stride: number): void {
  if (!Number.isInteger(patch) || patch < 1) throw new ApiError('invalid_request', `patch: ${patch} is not a size; give the square's side in pixels, at least 1`)
  if (patch > Math.min(shape.height, shape.width)) {
    throw new ApiError('invalid_request', `patch: ${patch} px is larger than the ${shape.width}×${shape.height} image; choose at most ${Math.min(shape.height, shape.width)}`)
  }
  if (!Number.isInteger(stride) || stride < 1) throw new ApiError('invalid_request', `stride: ${stride} would not move the square; give a stride of at least 1 pixel`)
}

function positions(size: number, patch: number, stride: number): number[] {
  const out: number[] = []
  for (let p = 0; p + patch <= size; p += stride) out.push(p)
  return out
}

/** Forward pass returning the layer's maps and the class probabilities. */
function forward(model: tf.LayersModel, x: tf.Tensor4D, layer: string): [tf.Tensor, tf.Tensor2D] {
  return tf.tidy(() => {
    const run = runGraph(model, x, 'gradient')
    return [run.outputs.get(layer)!, classProbabilities(run.logits, run.outputActivation)]
  })
}

/** The network's pass over the unoccluded image: the maps of map (a)'s layer and the class probabilities. */
export interface UnoccludedPass {
  layer: string
  activations: Float32Array
  probabilities: Float32Array
}

export async function unoccludedPass(model: tf.LayersModel, image: Float32Array, shape: ModelInputShape, layer: string): Promise<UnoccludedPass> {
  spatialLayer(model, layer, 'occlusion map (a)')
  const x = tf.tensor4d(image, [1, shape.height, shape.width, shape.channels])
  const [acts, probs] = forward(model, x, layer)
  const [activations, probabilities] = [(await acts.data()) as Float32Array, (await probs.data()) as Float32Array]
  tf.dispose([x, acts, probs])
  return { layer, activations, probabilities }
}

/**
 * The occlusion maps of `image`. `unoccluded`, when the caller has already run the image (to
 * choose the class from its probabilities), saves running it again.
 */
export async function occlusion(model: tf.LayersModel, image: Float32Array, shape: ModelInputShape, options: OcclusionOptions, control: TaskControl = {}, unoccluded?: UnoccludedPass): Promise<OcclusionResult> {
  const { height: H, width: W, channels: C } = shape
  checkOcclusion(shape, options.patch, options.stride)
  const [h, w, k] = spatialLayer(model, options.layer, 'occlusion map (a)')
  const fill = new Array<number>(C).fill(0)
  if (options.fill === 'mean') {
    for (let p = 0; p < H * W; p++) for (let c = 0; c < C; c++) fill[c] += image[p * C + c] / (H * W)
  } else {
    if (!(options.fill >= 0 && options.fill <= 1)) throw new ApiError('invalid_request', `fill: ${options.fill} is not a grey level; give a value from 0 (black) to 1 (white), or "mean"`)
    fill.fill(options.fill)
  }
  const tops = positions(H, options.patch, options.stride)
  const lefts = positions(W, options.patch, options.stride)
  const count = tops.length * lefts.length
  const batchSize = options.batchSize ?? Math.max(1, Math.min(64, Math.floor((4 * 1024 * 1024) / Math.max(1, H * W * C + h * w * k))))
  const progress = new TaskProgressTracker(count, control, 'the occlusion map')

  // The unoccluded image: its strongest feature map, probabilities and label.
  const base = unoccluded?.layer === options.layer ? unoccluded : await unoccludedPass(model, image, shape, options.layer)
  const [a0, p0] = [base.activations, base.probabilities]
  const classes = p0.length
  if (options.cls < 0 || options.cls >= classes) throw new ApiError('invalid_request', `class: ${options.cls} is out of range; the model tells apart classes 0..${classes - 1}`)
  let channel = 0
  let strongest = -Infinity
  for (let i = 0; i < a0.length; i++) {
    if (a0[i] > strongest) {
      strongest = a0[i]
      channel = i % k
    }
  }
  const total = (acts: Float32Array, n: number): number => {
    let s = 0
    for (let p = 0; p < h * w; p++) s += acts[(n * h * w + p) * k + channel]
    return s
  }
  const result: OcclusionResult = {
    patch: options.patch,
    stride: options.stride,
    fill,
    tops,
    lefts,
    layer: options.layer,
    channel,
    activation: new Float32Array(count),
    probability: new Float32Array(count),
    label: new Int32Array(count),
    unoccluded: { activation: Math.fround(total(a0, 0)), probability: p0[options.cls], label: argmax(p0), probabilities: p0 },
    attribution: new Float32Array(H * W)
  }

  progress.stage(`${count} occluded images`)
  const batch = new Float32Array(batchSize * H * W * C)
  for (let first = 0; first < count; first += batchSize) {
    const n = Math.min(batchSize, count - first)
    for (let i = 0; i < n; i++) {
      const pos = first + i
      const top = tops[Math.floor(pos / lefts.length)]
      const left = lefts[pos % lefts.length]
      const base = i * H * W * C
      batch.set(image, base)
      for (let y = top; y < top + options.patch; y++) {
        for (let x = left; x < left + options.patch; x++) for (let c = 0; c < C; c++) batch[base + (y * W + x) * C + c] = fill[c]
      }
    }
    const x = tf.tensor4d(batch.subarray(0, n * H * W * C), [n, H, W, C])
    const [acts, probs] = forward(model, x, options.layer)
    const [a, p] = [(await acts.data()) as Float32Array, (await probs.data()) as Float32Array]
    tf.dispose([x, acts, probs])
    for (let i = 0; i < n; i++) {
      result.activation[first + i] = total(a, i)
      result.probability[first + i] = p[i * classes + options.cls]
      result.label[first + i] = argmax(p, i * classes, classes)
    }
    await progress.step(n)
  }
  progress.finish()

  // Attribution per pixel: mean drop in P(class) over the squares covering it (0 where none does).
  const sum = new Float64Array(H * W)
  const covers = new Uint32Array(H * W)
  for (let pos = 0; pos < count; pos++) {
    const top = tops[Math.floor(pos / lefts.length)]
    const left = lefts[pos % lefts.length]
    const drop = result.unoccluded.probability - result.probability[pos]
    for (let y = top; y < top + options.patch; y++) {
      for (let x = left; x < left + options.patch; x++) {
        sum[y * W + x] += drop
        covers[y * W + x]++
      }
    }
  }
  for (let p = 0; p < H * W; p++) result.attribution[p] = covers[p] ? sum[p] / covers[p] : 0
  return result
}

/** The default layer of map (a): the deepest layer whose maps are still at least 2×2. */
export function defaultOcclusionLayer(model: tf.LayersModel): string {
  const spatial = model.layers.filter((l) => {
    const s = l.outputShape as (number | null)[]
    return l.getClassName() !== 'InputLayer' && s.length === 4 && (s[1] ?? 0) >= 2 && (s[2] ?? 0) >= 2
  })
  const conv = spatial.filter((l) => /Conv/.test(l.getClassName()))
  const pick = conv.at(-1) ?? spatial.at(-1)
  if (!pick) throw new ApiError('bad_input', 'the model has no layer with spatial feature maps (height × width × channels); occlusion map (a) needs one')
  return pick.name
}

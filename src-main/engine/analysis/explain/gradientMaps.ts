/**
 * Gradient explanations of one prediction: plain saliency (Simonyan et al. 2014), Grad-CAM
 * (Selvaraju et al. 2017), and the projection of one unit back to pixels by Zeiler & Fergus's
 * deconvnet or by guided backpropagation. All start from the class score before the softmax.
 */
import * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../../src-shared/errors'
import type { ModelInputShape } from '../../../../src-shared/model'
import { classScore, runGraph, type ReluRule } from './layerGraph'
import { bilinearUpsample } from './resample'

export interface SaliencyMap {
  /** ∂score/∂x, H×W×C. */
  gradient: Float32Array
  /** max over channels of |∂score/∂x|, H×W. */
  map: Float32Array
}

/** The gradient of class `cls`'s score with respect to the input pixels. */
export async function saliency(model: tf.LayersModel, image: Float32Array, shape: ModelInputShape, cls: number): Promise<SaliencyMap> {
  const x = tf.tensor4d(image, [1, shape.height, shape.width, shape.channels])
  const g = tf.grad((input: tf.Tensor) => tf.sum(classScore(runGraph(model, input, 'gradient').logits, cls)))(x)
  const gradient = (await g.data()) as Float32Array
  tf.dispose([x, g])
  const map = new Float32Array(shape.height * shape.width)
  for (let p = 0; p < map.length; p++) {
    let m = 0
    for (let c = 0; c < shape.channels; c++) m = Math.max(m, Math.abs(gradient[p * shape.channels + c]))
    map[p] = m
  }
  return { gradient, map }
}

/** Fails unless `layer` is a layer of the model with h×w×c maps. */
export function spatialLayer(model: tf.LayersModel, layer: string, method: string): [number, number, number] {
  const found = model.layers.find((l) => l.name === layer)
  const spatial = model.layers.filter((l) => l.getClassName() !== 'InputLayer' && (l.outputShape as unknown[]).length === 4).map((l) => l.name)
  if (!found) throw new ApiError('invalid_request', `layer: the model has no layer "${layer}"; layers with spatial maps are ${spatial.join(', ')}`)
  const shape = found.outputShape as (number | null)[]
  if (shape.length !== 4 || found.getClassName() === 'InputLayer') {
    throw new ApiError('invalid_request', `layer: "${layer}" has output [${shape.slice(1).join(', ')}], not spatial maps (height × width × channels), so ${method} cannot use it; choose one of ${spatial.join(', ')}`)
  }
  return [shape[1] ?? 1, shape[2] ?? 1, shape[3] ?? 1]
}

export interface GradCam {
  layer: string
  /** ReLU(Σ_k α_k A_k) at the layer's resolution, h×w. */
  map: Float32Array
  mapHeight: number
  mapWidth: number
  /** The same map bilinearly upsampled to the input, H×W. */
  upsampled: Float32Array
  /** α_k = mean over the map of ∂score/∂A_k. */
  weights: Float32Array
}

/** Grad-CAM of class `cls` at a conv layer. */
export async function gradCam(model: tf.LayersModel, image: Float32Array, shape: ModelInputShape, cls: number, layer: string): Promise<GradCam> {
  const [h, w, k] = spatialLayer(model, layer, 'Grad-CAM')
  const x = tf.tensor4d(image, [1, shape.height, shape.width, shape.channels])
  const activation = tf.tidy(() => runGraph(model, x, 'gradient').outputs.get(layer)!)
  const g = tf.grad((a: tf.Tensor) => tf.sum(classScore(runGraph(model, x, 'gradient', new Map([[layer, a]])).logits, cls)))(activation)
  const [acts, grads] = [(await activation.data()) as Float32Array, (await g.data()) as Float32Array]
  tf.dispose([x, activation, g])
  const weights = new Float32Array(k)
  for (let p = 0; p < h * w; p++) for (let c = 0; c < k; c++) weights[c] += grads[p * k + c] / (h * w)
  const map = new Float32Array(h * w)
  for (let p = 0; p < h * w; p++) {
    let s = 0
    for (let c = 0; c < k; c++) s += weights[c] * acts[p * k + c]
    map[p] = Math.max(0, s)
  }
  return { layer, map, mapHeight: h, mapWidth: w, upsampled: bilinearUpsample(map, h, w, shape.height, shape.width), weights }
}

export interface Unit {
  y: number
  x: number
  channel: number
}

/**
 * Projects one unit of `layer` per image back to the input: every other activation of the
 * layer is set to zero, the unit keeps its value, and the signal goes down through the network
 * with `rule` at each ReLU (the deconvnet: unpooling by the max-pool switches, rectification,
 * transposed filters; or guided backpropagation). Returns N×H×W×C and the units' values.
 */
export async function projectUnits(model: tf.LayersModel, images: Float32Array, n: number, shape: ModelInputShape, layer: string, units: Unit[], rule: ReluRule): Promise<{ projections: Float32Array; values: Float32Array }> {
  const [h, w, k] = spatialLayer(model, layer, rule === 'deconvnet' ? 'the deconvnet' : 'guided backpropagation')
  for (const u of units) {
    if (u.channel < 0 || u.channel >= k) throw new ApiError('invalid_request', `channel: ${u.channel} is out of range; layer "${layer}" has channels 0..${k - 1}`)
    if (u.y < 0 || u.y >= h || u.x < 0 || u.x >= w) throw new ApiError('invalid_request', `unit (${u.y}, ${u.x}) is outside the ${h}×${w} maps of layer "${layer}"`)
  }
  const x = tf.tensor4d(images, [n, shape.height, shape.width, shape.channels])
  const activation = tf.tidy(() => runGraph(model, x, 'gradient').outputs.get(layer)!)
  const acts = (await activation.data()) as Float32Array
  activation.dispose()
  const values = new Float32Array(n)
  const signal = new Float32Array(n * h * w * k)
  units.forEach((u, i) => {
    const at = ((i * h + u.y) * w + u.x) * k + u.channel
    values[i] = acts[at]
    signal[at] = acts[at]
  })
  const top = tf.tensor4d(signal, [n, h, w, k])
  const g = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(runGraph(model, input, rule).outputs.get(layer)!, top)))(x)
  const projections = (await g.data()) as Float32Array
  tf.dispose([x, top, g])
  return { projections, values }
}

/** The unit with the largest activation in channel `channel` (or in any channel) of `layer`. */
export async function strongestUnit(model: tf.LayersModel, image: Float32Array, shape: ModelInputShape, layer: string, channel?: number): Promise<Unit & { value: number }> {
  const [h, w, k] = spatialLayer(model, layer, 'a projection')
  if (channel !== undefined && (channel < 0 || channel >= k)) throw new ApiError('invalid_request', `channel: ${channel} is out of range; layer "${layer}" has channels 0..${k - 1}`)
  const x = tf.tensor4d(image, [1, shape.height, shape.width, shape.channels])
  const activation = tf.tidy(() => runGraph(model, x, 'gradient').outputs.get(layer)!)
  const acts = (await activation.data()) as Float32Array
  tf.dispose([x, activation])
  let best = { y: 0, x: 0, channel: channel ?? 0, value: -Infinity }
  for (let p = 0; p < h * w; p++) {
    for (let c = channel ?? 0; c < (channel === undefined ? k : channel + 1); c++) {
      const v = acts[p * k + c]
      if (v > best.value) best = { y: Math.floor(p / w), x: p % w, channel: c, value: v }
    }
  }
  return best
}

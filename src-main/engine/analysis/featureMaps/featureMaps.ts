/**
 * Feature maps of one image: every spatial layer's output in one forward pass, reordered
 * channel-major for display, with each channel's μ and σ of |F| (seed 000's descriptor).
 */
import * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../../src-shared/errors'
import { channelDescriptor } from '../core/descriptors'
import type { FeatureMapLayer } from '../../../../src-shared/inspect'
import type { ModelInputShape } from '../../../../src-shared/model'
import { layerActivations } from '../core/layerActivations'
import { TaskProgressTracker, type TaskControl } from '../../tasks/taskControl'

export interface FeatureMaps {
  layers: FeatureMapLayer[]
  /** The model's output for the image. */
  output: Float32Array
}

/** Names of the layers whose output is a [h, w, c] feature map (input layers excluded). */
export function spatialLayerNames(model: tf.LayersModel): string[] {
  return model.layers.filter((l) => l.getClassName() !== 'InputLayer' && (l.outputShape as (number | null)[]).length === 4).map((l) => l.name)
}

/** [h, w, c] channels-last to [c, h, w]. */
export function toChannelMajor(data: ArrayLike<number>, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(h * w * c)
  const plane = h * w
  for (let p = 0; p < plane; p++) {
    const base = p * c
    for (let ch = 0; ch < c; ch++) out[ch * plane + p] = data[base + ch]
  }
  return out
}

function describeLayer(name: string, className: string, data: Float32Array, shape: number[]): FeatureMapLayer {
  const [, h, w, c] = shape
  const descriptor = channelDescriptor(data, [h, w, c])
  const mu = new Float32Array(c)
  const sigma = new Float32Array(c)
  for (let ch = 0; ch < c; ch++) {
    mu[ch] = descriptor[2 * ch]
    sigma[ch] = descriptor[2 * ch + 1]
  }
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < data.length; i++) {
    min = Math.min(min, data[i])
    max = Math.max(max, data[i])
  }
  return { name, className, shape: [h, w, c], maps: toChannelMajor(data, h, w, c), mu, sigma, min, max }
}

/**
 * Runs one image (h×w×c, channels last) through the model and returns the maps of `layers`
 * (default: every spatial layer) and the model's output, from a single forward pass. Progress
 * (the pass, then each layer's maps) goes to `control`, which can also cancel between layers.
 */
export async function featureMaps(model: tf.LayersModel, x: Float32Array, shape: ModelInputShape, layers?: string[], control: TaskControl = {}): Promise<FeatureMaps> {
  const wanted = layers ?? spatialLayerNames(model)
  for (const name of wanted) {
    const layer = model.layers.find((l) => l.name === name)
    if (layer && (layer.outputShape as (number | null)[]).length !== 4) {
      throw new ApiError('invalid_request', `layers: "${name}" (${layer.getClassName()}) outputs a vector, not a feature map; choose one of ${spatialLayerNames(model).join(', ')}`)
    }
  }
  const outputName = model.outputLayers[0].name
  const input = tf.tensor4d(x, [1, shape.height, shape.width, shape.channels])
  const total = wanted.length + 1
  const progress = new TaskProgressTracker(total, control, 'the feature maps')
  progress.stage('running the image through the network')
  const activations = layerActivations(model, input, [...new Set([...wanted, outputName])])
  try {
    const result: FeatureMapLayer[] = []
    for (const [k, name] of wanted.entries()) {
      if (control.onProgress || control.signal) {
        progress.stage(`maps of ${name} (${k + 1} of ${wanted.length} layers)`)
        await progress.step(1)
      }
      const t = activations.get(name)!
      const className = model.getLayer(name).getClassName()
      result.push(describeLayer(name, className, (await t.data()) as Float32Array, t.shape))
    }
    progress.finish()
    const output = Float32Array.from(await activations.get(outputName)!.data())
    return { layers: result, output }
  } finally {
    tf.dispose([input, ...activations.values()])
  }
}

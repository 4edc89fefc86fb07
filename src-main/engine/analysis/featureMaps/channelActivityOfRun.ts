/**
 * Dead and always-on channels of every spatial layer over a dataset sample (seed 003). The
 * per-image, per-channel max and min of |F| are reduced on the backend, so only 2·C numbers
 * per image leave it however large the maps are.
 */
import * as tf from '@tensorflow/tfjs'
import { ChannelActivityAccumulator, type ChannelActivityOptions, type ChannelActivityReport } from './channelActivity'
import { spatialLayerNames } from './featureMaps'
import { forEachSampleBatch, type ImageSample } from '../core/imageSample'
import { TaskProgressTracker, type TaskControl } from '../../tasks/taskControl'

export interface LayerChannelActivity {
  name: string
  className: string
  /** The layer's own activation (conv layers), or null. */
  activation: string | null
  report: ChannelActivityReport
}

export interface RunChannelActivity {
  images: number
  layers: LayerChannelActivity[]
}

export function layerActivationName(layer: tf.layers.Layer): string | null {
  const config = layer.getConfig() as { activation?: unknown }
  return typeof config.activation === 'string' ? config.activation : layer.getClassName() === 'ReLU' ? 'relu' : null
}

/**
 * [N, 1, 2, C] per-image extremes of |F|: the accumulator takes the max and min over all
 * positions of a map, and a two-position map of (max, min) gives it exactly those.
 */
function extremes(activation: tf.Tensor): tf.Tensor4D {
  return tf.tidy(() => {
    const a = tf.abs(activation)
    const hi = tf.max(a, [1, 2])
    const lo = tf.min(a, [1, 2])
    return tf.stack([hi, lo], 1).expandDims(1) as tf.Tensor4D
  })
}

export async function channelActivityOfRun(model: tf.LayersModel, sample: ImageSample, options: ChannelActivityOptions, control: TaskControl = {}): Promise<RunChannelActivity> {
  const names = spatialLayerNames(model)
  const accumulators = new Map(names.map((n) => [n, new ChannelActivityAccumulator((model.getLayer(n).outputShape as number[])[3])]))
  const progress = new TaskProgressTracker(sample.indices.length, control, 'the channel scan')
  const images = await forEachSampleBatch(model, sample, names, progress, async ({ activations }) => {
    for (const name of names) {
      const e = extremes(activations.get(name)!)
      accumulators.get(name)!.add((await e.data()) as Float32Array, e.shape)
      e.dispose()
    }
  })
  progress.finish()
  return {
    images,
    layers: names.map((name) => {
      const layer = model.getLayer(name)
      return { name, className: layer.getClassName(), activation: layerActivationName(layer), report: accumulators.get(name)!.report(options) }
    })
  }
}

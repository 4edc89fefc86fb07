/**
 * The top activations of a channel (Zeiler & Fergus 2014, Fig. 2): over a dataset sample, the
 * images whose strongest unit in the channel is largest; for each, the input patch under that
 * unit (its receptive field) and the unit projected back to pixels by the deconvnet and by
 * guided backpropagation, cropped to the same patch.
 */
import * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../../src-shared/errors'
import { batchesOf } from '../../data/splits'
import { TaskProgressTracker, type TaskControl } from '../../tasks/taskControl'
import { batchSizeFor, type ImageSample } from '../core/imageSample'
import { layerField, patchSize, receptivePatch } from '../featureMaps/evolution'
import { projectUnits, spatialLayer } from './gradientMaps'
import { runGraph } from './layerGraph'

export interface TopActivation {
  /** Index of the image in the sample's split, its label, and the unit's value and position. */
  index: number
  label: number
  value: number
  y: number
  x: number
  /** ph×pw×c crops around the unit's receptive field (NaN outside the image). */
  patch: Float32Array
  deconvnet: Float32Array
  guided: Float32Array
}

export interface ChannelTop {
  channel: number
  top: TopActivation[]
}

export interface TopActivations {
  layer: string
  channels: number
  images: number
  patchShape: [number, number, number]
  /** The unit's receptive field side in pixels (before clipping to the image), or null if unknown. */
  field: number | null
  results: ChannelTop[]
}

interface Candidate {
  value: number
  index: number
  label: number
  position: number
}

/** Keeps the `count` largest, ties to the earlier image (so batches do not change the result). */
function insert(list: Candidate[], item: Candidate, count: number): void {
  if (list.length === count && item.value <= list[count - 1].value) return
  let at = list.length
  while (at > 0 && list[at - 1].value < item.value) at--
  list.splice(at, 0, item)
  if (list.length > count) list.pop()
}

export async function topActivations(model: tf.LayersModel, layer: string, channels: number[], sample: ImageSample, count: number, control: TaskControl = {}): Promise<TopActivations> {
  const [h, w, k] = spatialLayer(model, layer, 'top activations')
  for (const c of channels) if (!Number.isInteger(c) || c < 0 || c >= k) throw new ApiError('invalid_request', `channel: ${c} is out of range; layer "${layer}" has channels 0..${k - 1}`)
  const { height: H, width: W, channels: C } = sample.shape
  const batches = batchesOf(sample.indices, batchSizeFor(model))
  const progress = new TaskProgressTracker(sample.indices.length + channels.length, control, 'the top activations')
  const best = channels.map(() => [] as Candidate[])
  let images = 0
  progress.stage(`${sample.indices.length} ${sample.split} images`)
  for (const batch of batches) {
    const read = await sample.read(batch)
    const n = read.indices.length
    if (n > 0) {
      const labels = read.labels ?? new Int32Array(n).fill(-1)
      const x = tf.tensor4d(read.x, [n, H, W, C])
      const [maxes, where] = tf.tidy(() => {
        const a = runGraph(model, x, 'gradient').outputs.get(layer)!
        const picked = tf.gather(tf.reshape(a, [n, h * w, k]), channels, 2)
        return [tf.max(picked, 1), tf.argMax(picked, 1)]
      })
      const [values, positions] = [(await maxes.data()) as Float32Array, (await where.data()) as Int32Array]
      tf.dispose([x, maxes, where])
      for (let i = 0; i < n; i++) {
        channels.forEach((_, j) => insert(best[j], { value: values[i * channels.length + j], index: read.indices[i], label: labels[i], position: positions[i * channels.length + j] }, count))
      }
      images += n
    }
    await progress.step(batch.length)
  }
  if (images === 0) throw new ApiError('bad_input', `none of the ${sample.indices.length} sampled ${sample.split} images could be decoded`)

  const field = layerField(model, layer)
  const [ph, pw] = patchSize(field, sample.shape)
  const results: ChannelTop[] = []
  for (const [j, channel] of channels.entries()) {
    progress.stage(`projections of channel ${channel}`)
    const list = best[j]
    const read = await sample.read(Int32Array.from(list, (b) => b.index))
    const slotOf = new Map(Array.from(read.indices, (index, slot) => [index, slot]))
    const kept = list.filter((b) => slotOf.has(b.index))
    const x = new Float32Array(kept.length * H * W * C)
    kept.forEach((b, s) => {
      const slot = slotOf.get(b.index)!
      x.set(read.x.subarray(slot * H * W * C, (slot + 1) * H * W * C), s * H * W * C)
    })
    const units = kept.map((b) => ({ y: Math.floor(b.position / w), x: b.position % w, channel }))
    const deconv = kept.length ? await projectUnits(model, x, kept.length, sample.shape, layer, units, 'deconvnet') : null
    const guided = kept.length ? await projectUnits(model, x, kept.length, sample.shape, layer, units, 'guided') : null
    const size = H * W * C
    results.push({
      channel,
      top: kept.map((b, s) => {
        const crop = (all: Float32Array): Float32Array => receptivePatch(all.subarray(s * size, (s + 1) * size), sample.shape, field, units[s].y, units[s].x).patch
        return {
          index: b.index,
          label: b.label,
          value: b.value,
          y: units[s].y,
          x: units[s].x,
          patch: crop(x),
          deconvnet: crop(deconv!.projections),
          guided: crop(guided!.projections)
        }
      })
    })
    await progress.step(1)
  }
  progress.finish()
  return { layer, channels: k, images, patchShape: [ph, pw, C], field: field ? Math.ceil(Math.max(field.height.size, field.width.size)) : null, results }
}

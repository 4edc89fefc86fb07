/**
 * Feature evolution (seed 003, Zeiler & Fergus): for each channel of a layer, the strongest
 * activation over a dataset sample, the image it came from, that image's map of the channel,
 * and the patch of the input the strongest unit sees (its receptive field). Run at several
 * epochs, it shows what a channel comes to respond to as training goes on.
 */
import * as tf from '@tensorflow/tfjs'
import type { ReceptiveField } from '../../../../src-shared/architecture'
import { ApiError } from '../../../../src-shared/errors'
import type { StrongestActivation } from '../../../../src-shared/inspect'
import { spatialLayerNames } from './featureMaps'
import type { ModelInputShape } from '../../../../src-shared/model'
import { forEachSampleBatch, type ImageSample } from '../core/imageSample'
import { architectureTableFromModel } from '../receptiveField/receptiveFieldOfModel'
import { layerActivations } from '../core/layerActivations'
import { TaskProgressTracker } from '../../tasks/taskControl'

export interface LayerEvolution {
  images: number
  mapShape: [number, number, number]
  patchShape: [number, number, number]
  channels: StrongestActivation[]
}

/** The layer's receptive field, or null when its geometry is not modelled (the whole image is shown). */
export function layerField(model: tf.LayersModel, layer: string): ReceptiveField | null {
  try {
    const row = architectureTableFromModel(model).rows.find((r) => r.name === layer)
    return row && row.fieldKind === 'spatial' ? row.receptiveField : null
  } catch {
    return null
  }
}

/** Patch size: the field, at most the image. */
export function patchSize(field: ReceptiveField | null, image: ModelInputShape): [number, number] {
  if (!field) return [image.height, image.width]
  return [Math.min(image.height, Math.ceil(field.height.size)), Math.min(image.width, Math.ceil(field.width.size))]
}

/**
 * The input pixels under unit (y, x): a ph×pw×c crop centred on the field's centre, NaN where
 * the field reaches past the image (the padding the network saw as zeros).
 */
export function receptivePatch(image: Float32Array, shape: ModelInputShape, field: ReceptiveField | null, y: number, x: number): { patch: Float32Array; size: [number, number] } {
  const [ph, pw] = patchSize(field, shape)
  const top = field && ph < shape.height ? Math.round(field.height.start + field.height.jump * y - (ph - 1) / 2) : 0
  const left = field && pw < shape.width ? Math.round(field.width.start + field.width.jump * x - (pw - 1) / 2) : 0
  const c = shape.channels
  const patch = new Float32Array(ph * pw * c).fill(NaN)
  for (let r = 0; r < ph; r++) {
    const sy = top + r
    if (sy < 0 || sy >= shape.height) continue
    for (let q = 0; q < pw; q++) {
      const sx = left + q
      if (sx < 0 || sx >= shape.width) continue
      for (let k = 0; k < c; k++) patch[(r * pw + q) * c + k] = image[(sy * shape.width + sx) * c + k]
    }
  }
  return { patch, size: [ph, pw] }
}

interface Best {
  value: number
  index: number
  position: number
}

/**
 * Strongest activation of the first `maxChannels` channels of `layer` over the sample. Progress
 * counts the sample's images on `progress` (by default a tracker of its own that reports nowhere).
 */
export async function strongestActivations(
  model: tf.LayersModel,
  layer: string,
  sample: ImageSample,
  maxChannels: number,
  progress = new TaskProgressTracker(sample.indices.length)
): Promise<LayerEvolution> {
  if (!spatialLayerNames(model).includes(layer)) {
    throw new ApiError('invalid_request', `layer: "${layer}" is not a layer with feature maps; choose one of ${spatialLayerNames(model).join(', ')}`)
  }
  const [, h, w, c] = model.getLayer(layer).outputShape as number[]
  const channels = Math.min(c, maxChannels)
  const best: Best[] = Array.from({ length: channels }, () => ({ value: -Infinity, index: -1, position: 0 }))
  const images = await forEachSampleBatch(model, sample, [layer], progress, async ({ indices, activations }) => {
    const n = indices.length
    const activation = activations.get(layer)!
    // Per image and channel: the largest value and where it is, reduced on the backend.
    const [maxes, where] = tf.tidy(() => {
      const flat = activation.slice([0, 0, 0, 0], [n, h, w, channels]).reshape([n, h * w, channels])
      return [flat.max(1), flat.argMax(1)]
    })
    const [values, positions] = [(await maxes.data()) as Float32Array, (await where.data()) as Int32Array]
    tf.dispose([maxes, where])
    for (let i = 0; i < n; i++) {
      for (let ch = 0; ch < channels; ch++) {
        const v = values[i * channels + ch]
        // Ties keep the earlier image, so the result does not depend on batch boundaries.
        if (v > best[ch].value) best[ch] = { value: v, index: indices[i], position: positions[i * channels + ch] }
      }
    }
  })
  if (images === 0) throw new ApiError('bad_input', `none of the ${sample.indices.length} sampled ${sample.split} images could be decoded`)

  // Second pass over the winning images only, for their maps and patches.
  const winners = [...new Set(best.map((bst) => bst.index))]
  const read = await sample.read(Int32Array.from(winners))
  const x = tf.tensor4d(read.x, [read.indices.length, sample.shape.height, sample.shape.width, sample.shape.channels])
  const activation = layerActivations(model, x, [layer]).get(layer)!
  const maps = (await activation.data()) as Float32Array
  tf.dispose([x, activation])
  const field = layerField(model, layer)
  const imageSize = sample.shape.height * sample.shape.width * sample.shape.channels
  const [ph, pw] = patchSize(field, sample.shape)
  const result = best.map((bst, ch): StrongestActivation => {
    const slot = Array.from(read.indices).indexOf(bst.index)
    const y = Math.floor(bst.position / w)
    const xx = bst.position % w
    const map = new Float32Array(h * w)
    for (let p = 0; p < h * w; p++) map[p] = maps[(slot * h * w + p) * c + ch]
    const image = read.x.subarray(slot * imageSize, (slot + 1) * imageSize)
    return { channel: ch, value: bst.value, index: bst.index, y, x: xx, map, patch: receptivePatch(image, sample.shape, field, y, xx).patch }
  })
  return { images, mapShape: [h, w, c], patchShape: [ph, pw, sample.shape.channels], channels: result }
}

/**
 * The one image the inspector feeds a run's network: a dataset example (by index, or the nth
 * of a class) or an uploaded PNG/JPEG, converted exactly as training converts its images
 * (fit "fill", values 0..1, grey or RGB as the model expects).
 */
import type * as tf from '@tensorflow/tfjs'
import sharp from 'sharp'
import type { SplitName } from '../../../../src-shared/dataset'
import type { ImageChoice } from '../../../../src-shared/inspect'
import type { ModelInputShape } from '../../../../src-shared/model'
import { ApiError } from '../../../../src-shared/errors'
import type { Dataset } from '../../data/dataset'
import { convertRawInto } from '../../data/decode'
import { DATA_LIMITS } from '../../data/limits'

export interface InputImage {
  shape: ModelInputShape
  /** h×w×c floats in 0..1, channels last. */
  x: Float32Array
  source: string
  split: SplitName | null
  index: number | null
  label: number | null
}

/** The [h, w, c] image a model takes; fails for models that do not take images. */
export function modelImageShape(model: tf.LayersModel): ModelInputShape {
  const shape = model.inputs[0].shape
  const [, h, w, c] = shape
  if (shape.length !== 4 || !h || !w || !c) {
    throw new ApiError('bad_input', `the model takes input of shape [${shape.slice(1).join(', ')}], not an image [height, width, channels]; feature maps and comparisons need a convolutional model`)
  }
  return { height: h, width: w, channels: c }
}

/** Decodes uploaded image bytes (PNG, JPEG, WebP…) into the model's input. */
export async function decodeImageBytes(bytes: Uint8Array, shape: ModelInputShape, name = 'the uploaded image'): Promise<Float32Array> {
  if (shape.channels !== 1 && shape.channels !== 3) {
    throw new ApiError('bad_input', `the model takes ${shape.channels}-channel input; only grey (1) or RGB (3) images can be fed to it`)
  }
  const decoded = await sharp(bytes, { limitInputPixels: DATA_LIMITS.maxPixels, failOn: 'truncated', autoOrient: true })
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true })
    .catch((err: Error) => {
      throw new ApiError('bad_input', `${name} cannot be decoded as an image (${err.message}); open a PNG or JPEG file`)
    })
  const x = new Float32Array(shape.height * shape.width * shape.channels)
  convertRawInto(decoded.data, decoded.info.width, decoded.info.height, decoded.info.channels, shape, 'fill', x, 0)
  return x
}

/** Index in `labels` of the nth example with label `cls`. */
export function nthOfClass(labels: ArrayLike<number>, cls: number, nth: number, what: string): number {
  let seen = 0
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== cls) continue
    if (seen === nth) return i
    seen++
  }
  if (seen === 0) throw new ApiError('invalid_request', `image.class: ${what} has no example of class ${cls}`)
  throw new ApiError('invalid_request', `image.nth: ${what} has ${seen} examples of class ${cls} (nth 0..${seen - 1}), not ${nth + 1}`)
}

/** Resolves the image request against the run's dataset (null when it cannot be opened). */
export async function readInputImage(request: ImageChoice, shape: ModelInputShape, dataset: Dataset | null, datasetError: string | null): Promise<InputImage> {
  if ('encoded' in request) {
    const name = request.name ?? 'the uploaded image'
    return { shape, x: await decodeImageBytes(request.encoded, shape, name), source: name, split: null, index: null, label: null }
  }
  if (!dataset) throw new ApiError('not_found', `the run's dataset cannot be read (${datasetError ?? 'unknown reason'}); open an image file instead`)
  if (!dataset.has(request.split)) throw new ApiError('invalid_request', `image.split: the dataset has no "${request.split}" split; it has ${dataset.splitNames.join(', ')}`)
  const split = dataset.split(request.split)
  const index = 'index' in request ? request.index : nthOfClass(split.labels(), request.class, request.nth ?? 0, `the ${request.split} split`)
  if (index >= split.count) throw new ApiError('invalid_request', `image.index: the ${request.split} split has ${split.count} examples (0..${split.count - 1}), not ${index}`)
  const image = await split.readImage(index, shape)
  return { shape, x: image.x, source: `${request.split} #${index}${image.file ? ` (${image.file})` : ''}`, split: request.split, index, label: image.label }
}

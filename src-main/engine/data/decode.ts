import sharp, { type Sharp } from 'sharp'
import type { ModelInputShape } from '../../../src-shared/model'
import { convertInto, coverCrop, type Crop } from './resample'


/** "fill" stretches the whole image to the input size; "cover" crops the centre to its aspect. */
export type Fit = 'fill' | 'cover'

export interface DecodeOptions {
  fit: Fit
  maxPixels: number
}

/**
 * Above this ratio of source to target pixels, let sharp shrink while decoding (JPEG
 * shrink-on-load makes a 12-megapixel photo cheap); below it, decoding whole is faster.
 */
const SHRINK_IN_SHARP_RATIO = 16

function sharpInput(abs: string, maxPixels: number): Sharp {
  return sharp(abs, { limitInputPixels: maxPixels, failOn: 'truncated', autoOrient: true })
}

/**
 * Decodes an image file into `dst` at `offset` as shape.height×shape.width×shape.channels
 * floats in 0..1. `known` is the size from the probe, used only to pick the faster path.
 */
export async function decodeFileInto(
  abs: string,
  known: { width: number; height: number } | null,
  shape: ModelInputShape,
  options: DecodeOptions,
  dst: Float32Array,
  offset: number
): Promise<void> {
  const targetPixels = shape.width * shape.height
  if (known && known.width * known.height > SHRINK_IN_SHARP_RATIO * targetPixels) {
    const { data, info } = await sharpInput(abs, options.maxPixels)
      .resize(shape.width, shape.height, { fit: options.fit, position: 'centre' })
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true })
    const whole: Crop = { x: 0, y: 0, width: info.width, height: info.height }
    convertInto(data, info.width, info.channels, whole, dst, offset, shape.width, shape.height, shape.channels as 1 | 3)
    return
  }
  const { data, info } = await sharpInput(abs, options.maxPixels).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true })
  convertRawInto(data, info.width, info.height, info.channels, shape, options.fit, dst, offset)
}

/** Converts already-decoded 8-bit pixels (e.g. an IDX image) into the model's input. */
export function convertRawInto(
  data: Uint8Array,
  width: number,
  height: number,
  channels: number,
  shape: ModelInputShape,
  fit: Fit,
  dst: Float32Array,
  offset: number
): void {
  const crop = fit === 'cover' ? coverCrop(width, height, shape.width, shape.height) : { x: 0, y: 0, width, height }
  convertInto(data, width, channels, crop, dst, offset, shape.width, shape.height, shape.channels as 1 | 3)
}

/** A PNG no larger than size×size with the image's aspect, for the sample grid. */
export async function thumbnailFromFile(abs: string, known: { width: number; height: number } | null, size: number, maxPixels: number): Promise<Buffer> {
  const kernel = known && size >= known.width && size >= known.height ? 'nearest' : 'lanczos3'
  return sharpInput(abs, maxPixels)
    .resize(size, size, { fit: 'inside', kernel })
    .png()
    .toBuffer()
}

/** Small images (28×28 digits) are enlarged with nearest-neighbour so their pixels stay crisp. */
export async function thumbnailFromRaw(data: Uint8Array, width: number, height: number, channels: 1 | 3, size: number): Promise<Buffer> {
  const kernel = size >= width && size >= height ? 'nearest' : 'lanczos3'
  return sharp(data, { raw: { width, height, channels } })
    .resize(size, size, { fit: 'inside', kernel })
    .png()
    .toBuffer()
}

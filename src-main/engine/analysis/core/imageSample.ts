/**
 * A seeded sample of a run's dataset for statistics over images (dead channels, strongest
 * activations), read a batch at a time at the model's input size.
 */
import type * as tf from '@tensorflow/tfjs'
import type { SplitName } from '../../../../src-shared/dataset'
import { ApiError } from '../../../../src-shared/errors'
import type { Dataset } from '../../data/dataset'
import { shuffledIndices } from '../../data/splits'
import type { ModelImageShape } from './imageInput'

export interface ImageSample {
  split: SplitName
  /** Dataset indices in the split, in sample order. */
  indices: Int32Array
  shape: ModelImageShape
  /** Reads some of the sample; images that fail to decode are left out (see `indices` of the result). */
  read(indices: Int32Array): Promise<{ x: Float32Array; indices: Int32Array; labels?: Int32Array }>
}

/** The split to sample when none is named: held-out images first. */
export function defaultSampleSplit(dataset: Dataset): SplitName {
  const order: SplitName[] = ['test', 'val', 'all', 'train']
  return order.find((s) => dataset.has(s)) ?? dataset.splitNames[0]
}

export function datasetSample(dataset: Dataset, split: SplitName | undefined, size: number, seed: number, shape: ModelImageShape): ImageSample {
  const name = split ?? defaultSampleSplit(dataset)
  if (!dataset.has(name)) throw new ApiError('invalid_request', `split: the dataset has no "${name}" split; it has ${dataset.splitNames.join(', ')}`)
  const view = dataset.split(name)
  if (view.count === 0) throw new ApiError('bad_input', `split: the ${name} split is empty; choose another`)
  const n = Math.min(size, view.count)
  // The first n of a seeded shuffle: the same sample for the same seed, epoch after epoch.
  const indices = shuffledIndices(view.count, seed).slice(0, n)
  return {
    split: name,
    indices,
    shape,
    async read(batch) {
      const read = await view.readBatch(batch, shape)
      return { x: read.x, indices: read.indices, labels: read.labels }
    }
  }
}

/** Images per forward pass so the largest activation of a batch stays near `budget` floats. */
export function batchSizeFor(model: tf.LayersModel, budget = 8 * 1024 * 1024, most = 64): number {
  let largest = 1
  for (const layer of model.layers) {
    const shape = layer.outputShape as (number | null)[]
    if (!Array.isArray(shape)) continue
    largest = Math.max(largest, shape.slice(1).reduce<number>((a, b) => a * (b ?? 1), 1))
  }
  return Math.max(1, Math.min(most, Math.floor(budget / largest)))
}

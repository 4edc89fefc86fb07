/**
 * Seeded samples of a run's dataset, the one way analyses draw images: a sample read a batch at
 * a time (dead channels, strongest activations) and a set decoded once and shared by both runs
 * of a comparison (CKA, where each model looks). The same seed gives the same images, epoch after
 * epoch and run after run.
 */
import * as tf from '@tensorflow/tfjs'
import type { ExampleChoice } from '../../../../src-shared/compare'
import type { SplitName } from '../../../../src-shared/dataset'
import { ApiError } from '../../../../src-shared/errors'
import type { ModelInputShape } from '../../../../src-shared/model'
import type { Dataset } from '../../data/dataset'
import { batchesOf, shuffledIndices } from '../../data/splits'
import type { TaskProgressTracker } from '../../tasks/taskControl'
import { layerActivations } from './layerActivations'

/** Held-out data first: what the network did not train on says most about what it learned. */
export function defaultSplit(dataset: Dataset): SplitName {
  const order: SplitName[] = ['test', 'val', 'train', 'all']
  return order.find((s) => dataset.has(s) && dataset.split(s).count > 0) ?? dataset.splitNames[0]
}

/**
 * The first `count` of a seeded shuffle of the split (the whole split when it is smaller), in
 * that random order so that minibatches are representative. `field` names the request field in
 * errors.
 */
export function seededIndices(dataset: Dataset, split: SplitName | undefined, count: number, seed: number, field = 'split'): { split: SplitName; indices: Int32Array } {
  const name = split ?? defaultSplit(dataset)
  if (!dataset.has(name)) throw new ApiError('invalid_request', `${field}: the dataset ${dataset.table.name} has no "${name}" split; it has ${dataset.splitNames.join(', ')}`)
  const size = dataset.split(name).count
  return { split: name, indices: shuffledIndices(size, seed).slice(0, Math.min(count, size)) }
}

export interface ImageSample {
  split: SplitName
  /** Dataset indices in the split, in sample order. */
  indices: Int32Array
  shape: ModelInputShape
  /** Reads some of the sample; images that fail to decode are left out (see `indices` of the result). */
  read(indices: Int32Array): Promise<{ x: Float32Array; indices: Int32Array; labels?: Int32Array }>
}

export function datasetSample(dataset: Dataset, split: SplitName | undefined, size: number, seed: number, shape: ModelInputShape): ImageSample {
  const chosen = seededIndices(dataset, split, size, seed)
  if (chosen.indices.length === 0) throw new ApiError('bad_input', `split: the ${chosen.split} split is empty; choose another`)
  const view = dataset.split(chosen.split)
  return {
    ...chosen,
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

export interface SampleBatch {
  /** Dataset indices of the images that decoded, in the rows' order. */
  indices: Int32Array
  /** Their N×H×W×C pixels. */
  x: Float32Array
  /** The chosen layers' outputs for the batch; disposed after the visit returns. */
  activations: Map<string, tf.Tensor>
}

/**
 * Runs the sample through the model a batch at a time and hands each batch's activations of
 * `layers` to `visit`. Progress counts sampled images; a cancel stops it between batches.
 * Returns how many images decoded.
 */
export async function forEachSampleBatch(
  model: tf.LayersModel,
  sample: ImageSample,
  layers: string[],
  progress: TaskProgressTracker,
  visit: (batch: SampleBatch) => Promise<void>
): Promise<number> {
  let images = 0
  for (const batch of batchesOf(sample.indices, batchSizeFor(model))) {
    await progress.step()
    const read = await sample.read(batch)
    const n = read.indices.length
    if (n > 0) {
      const x = tf.tensor4d(read.x, [n, sample.shape.height, sample.shape.width, sample.shape.channels])
      const activations = layerActivations(model, x, layers)
      try {
        await visit({ indices: read.indices, x: read.x, activations })
      } finally {
        tf.dispose([x, ...activations.values()])
      }
      images += n
    }
    progress.advance(batch.length)
  }
  return images
}

export interface ExampleImages {
  split: SplitName
  /** Example indices within the split, in the (seeded random) order of the rows of x. */
  indices: Int32Array
  shape: ModelInputShape
  /** N×H×W×C floats in 0..1, as training saw them. */
  x: Float32Array
  /** Files of the split that could not be decoded and were left out. */
  failed: string[]
}

/** The comparison's examples: `count` of the split, drawn with `seed`; at least 4 for CKA. */
export function chooseExamples(dataset: Dataset, choice: ExampleChoice): { split: SplitName; indices: Int32Array } {
  const chosen = seededIndices(dataset, choice.split, choice.count, choice.seed, 'examples.split')
  const size = dataset.split(chosen.split).count
  if (size < 4) throw new ApiError('bad_input', `examples.split: the "${chosen.split}" split has ${size} examples; CKA needs at least 4, choose another split`)
  return chosen
}

/** Decodes the chosen examples at a model's input shape. */
export async function readExamples(dataset: Dataset, split: SplitName, indices: Int32Array, shape: ModelInputShape): Promise<ExampleImages> {
  const batch = await dataset.split(split).readBatch(indices, shape)
  if (batch.indices.length < 4) {
    throw new ApiError('bad_input', `only ${batch.indices.length} of ${indices.length} chosen examples of the "${split}" split could be decoded (first failure: ${batch.failed[0]?.file ?? '?'}); check the dataset`)
  }
  return { split, indices: batch.indices, shape, x: batch.x, failed: batch.failed.map((f) => f.file) }
}

/** Images per input shape, decoded once each: two runs of a pair share one set. */
export class ExampleSet {
  private readonly byShape = new Map<string, Promise<ExampleImages>>()

  constructor(
    readonly dataset: Dataset,
    readonly split: SplitName,
    readonly indices: Int32Array
  ) {}

  images(shape: ModelInputShape): Promise<ExampleImages> {
    const key = `${shape.height}x${shape.width}x${shape.channels}`
    let entry = this.byShape.get(key)
    if (!entry) this.byShape.set(key, (entry = readExamples(this.dataset, this.split, this.indices, shape)))
    return entry
  }

  /** Reads every shape and keeps only the examples that decoded for all of them. */
  async forShapes(shapes: ModelInputShape[]): Promise<ExampleImages[]> {
    const sets = await Promise.all(shapes.map((s) => this.images(s)))
    const n = sets[0].indices.length
    if (sets.some((s) => s.indices.length !== n)) {
      throw new ApiError('bad_input', `the chosen examples decoded differently at the two runs' input sizes; choose another seed or split`)
    }
    return sets
  }
}

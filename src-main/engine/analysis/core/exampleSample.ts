/**
 * The examples a comparison runs on: drawn once (seeded) from one split and decoded once, so
 * both runs see exactly the same images in the same order.
 */
import type { SplitName } from '../../../../src-shared/dataset'
import type { ExampleChoice } from '../../../../src-shared/compare'
import { ApiError } from '../../../../src-shared/errors'
import type { Dataset, InputShape } from '../../data/dataset'
import { shuffledIndices } from '../../data/splits'

export interface ExampleImages {
  split: SplitName
  /** Example indices within the split, in the (seeded random) order of the rows of x. */
  indices: Int32Array
  shape: InputShape
  /** N×H×W×C floats in 0..1, as training saw them. */
  x: Float32Array
  /** Files of the split that could not be decoded and were left out. */
  failed: string[]
}

/** Held-out data first: what the networks did not train on says most about what they learned. */
export function defaultSplit(dataset: Dataset): SplitName {
  const order: SplitName[] = ['test', 'val', 'train', 'all']
  return order.find((s) => dataset.has(s) && dataset.split(s).count > 0) ?? dataset.splitNames[0]
}

/**
 * `count` examples of the split, drawn without replacement with `seed`; the whole split when
 * it is smaller. The order stays random so that minibatches are representative.
 */
export function chooseExamples(dataset: Dataset, choice: ExampleChoice): { split: SplitName; indices: Int32Array } {
  const split = choice.split ?? defaultSplit(dataset)
  if (!dataset.has(split)) {
    throw new ApiError('invalid_request', `examples.split: the dataset ${dataset.table.name} has no "${split}" split; it has ${dataset.splitNames.join(', ')}`)
  }
  const size = dataset.split(split).count
  if (size < 4) throw new ApiError('bad_input', `examples.split: the "${split}" split has ${size} examples; CKA needs at least 4, choose another split`)
  const order = shuffledIndices(size, choice.seed)
  return { split, indices: order.slice(0, Math.min(choice.count, size)) }
}

/** Decodes the chosen examples at a model's input shape. */
export async function readExamples(dataset: Dataset, split: SplitName, indices: Int32Array, shape: InputShape): Promise<ExampleImages> {
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

  images(shape: InputShape): Promise<ExampleImages> {
    const key = `${shape.height}x${shape.width}x${shape.channels}`
    let entry = this.byShape.get(key)
    if (!entry) this.byShape.set(key, (entry = readExamples(this.dataset, this.split, this.indices, shape)))
    return entry
  }

  /** Reads every shape and keeps only the examples that decoded for all of them. */
  async forShapes(shapes: InputShape[]): Promise<ExampleImages[]> {
    const sets = await Promise.all(shapes.map((s) => this.images(s)))
    const n = sets[0].indices.length
    if (sets.some((s) => s.indices.length !== n)) {
      throw new ApiError('bad_input', `the chosen examples decoded differently at the two runs' input sizes; choose another seed or split`)
    }
    return sets
  }
}

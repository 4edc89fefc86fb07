import type { ModelInputShape } from '../../../src-shared/model'

import type { TrainSplit } from '../data/runDataset'

export type { TrainSplit }

/** One batch, ready for the model: NHWC pixels in 0..1 and one-hot (or 0/1) targets. */
export interface Batch {
  x: Float32Array
  y: Float32Array
  size: number
}

/**
 * What the training loop needs from a dataset: split sizes and batches by position within a
 * split. Implementations read lazily, so a dataset never has to fit in memory.
 */
export interface TrainingData {
  input: ModelInputShape
  labelKind: 'class' | 'attribute'
  /** Class names, or [attribute] for a binary attribute label. */
  classNames: string[]
  counts: Record<TrainSplit, number>
  read(split: TrainSplit, positions: Int32Array): Promise<Batch>
}

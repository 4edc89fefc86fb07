/**
 * A run's dataset as its config names it: opened under the run's label, and the examples each
 * split of the run uses (training, validation and test), as training and the analyses that
 * follow the run's splits see them.
 */
import { ApiError } from '../../../src-shared/errors'
import type { TrainConfig } from '../../../src-shared/run'
import type { Dataset, DatasetSplit } from './dataset'
import { openDataset } from './open'
import { selectPerClass, validationSplit } from './splits'

export type TrainSplit = 'train' | 'val' | 'test'

export interface SplitPlan {
  source: DatasetSplit
  indices: Int32Array
}

/** The attribute a run is labelled by, or undefined for class labels. */
export function runLabel(config: TrainConfig): string | undefined {
  return config.label.kind === 'attribute' ? config.label.attribute : undefined
}

export async function openRunDataset(config: TrainConfig): Promise<Dataset> {
  const dataset = await openDataset(config.dataset, { label: runLabel(config) })
  if (config.label.kind === 'class' && dataset.table.classNames.length === 0) {
    const names = dataset.attributeNames.join(', ')
    throw new ApiError('bad_input', `label: ${config.dataset} is labelled by attributes, not classes; choose one of ${names}`)
  }
  if (config.label.kind === 'attribute') dataset.labelSpec(config.label.attribute)
  return dataset
}

/**
 * The training, validation and test examples of a run: the per-class fraction and the limit
 * applied to the training split, validation from the dataset's own split or held out of
 * training (stratified, seeded), test from the dataset's test split when it has one.
 */
export function planSplits(dataset: Dataset, config: TrainConfig): Record<TrainSplit, SplitPlan | null> {
  const label = runLabel(config)
  const trainSource = dataset.has('train') ? dataset.split('train') : dataset.split('all')
  const labels = trainSource.labels(label)
  let pool = Int32Array.from({ length: trainSource.count }, (_, i) => i)
  if (config.fractionPerClass !== undefined && config.fractionPerClass < 1) {
    pool = selectPerClass(labels, { fraction: config.fractionPerClass, seed: config.seed }).selected
  }
  if (config.limit !== undefined && config.limit < pool.length) {
    pool = selectPerClass(labels, { fraction: config.limit / pool.length, seed: config.seed + 1, among: pool }).selected
  }
  let train: SplitPlan = { source: trainSource, indices: pool }
  let val: SplitPlan | null = null
  if (dataset.has('val')) {
    const source = dataset.split('val')
    val = { source, indices: Int32Array.from({ length: source.count }, (_, i) => i) }
  } else if (config.validationSplit > 0) {
    const parts = validationSplit(labels, pool, config.validationSplit, config.seed)
    train = { source: trainSource, indices: parts.train }
    val = { source: trainSource, indices: parts.val }
  }
  const testSource = dataset.has('test') ? dataset.split('test') : null
  const test = testSource ? { source: testSource, indices: Int32Array.from({ length: testSource.count }, (_, i) => i) } : null
  if (train.indices.length === 0) throw new ApiError('bad_input', `${config.dataset}: no training images are left after the fraction and limit; raise them`)
  return { train, val, test }
}

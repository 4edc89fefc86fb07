import { ApiError } from '../../../src-shared/errors'
import type { ModelInputShape } from '../../../src-shared/model'
import type { TrainConfig } from '../../../src-shared/run'
import { openDataset, selectPerClass, validationSplit, type Dataset, type DatasetSplit } from '../data/index'
import type { Batch, TrainingData, TrainSplit } from './trainingData'

/** Decides the model input from the dataset's shape and class count (validateModelFit). */
export type FitInput = (datasetShape: ModelInputShape, numClasses: number) => ModelInputShape

interface SplitPlan {
  source: DatasetSplit
  indices: Int32Array
}

function labelName(config: TrainConfig): string | undefined {
  return config.label.kind === 'attribute' ? config.label.attribute : undefined
}

export async function openRunDataset(config: TrainConfig): Promise<Dataset> {
  const dataset = await openDataset(config.dataset, { label: labelName(config) })
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
  const label = labelName(config)
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

/** Opens a run's dataset as the training loop sees it: lazily decoded, one batch at a time. */
export async function openTrainingData(config: TrainConfig, fitInput: FitInput): Promise<TrainingData> {
  const dataset = await openRunDataset(config)
  const labelKind = config.label.kind
  const classNames = labelKind === 'class' ? dataset.classNames : [config.label.kind === 'attribute' ? config.label.attribute : '']
  const numClasses = labelKind === 'class' ? dataset.classNames.length : 2
  const input = fitInput(dataset.inputShape, numClasses)
  const plans = planSplits(dataset, config)
  const label = labelName(config)
  const outputs = labelKind === 'class' ? numClasses : 1

  return {
    input,
    labelKind,
    classNames,
    counts: { train: plans.train!.indices.length, val: plans.val?.indices.length ?? 0, test: plans.test?.indices.length ?? 0 },
    async read(split: TrainSplit, positions: Int32Array): Promise<Batch> {
      const plan = plans[split]
      if (!plan) throw new Error(`no ${split} split`)
      const indices = Int32Array.from(positions, (p) => plan.indices[p])
      const batch = await plan.source.readBatch(indices, input, { label })
      const size = batch.indices.length
      if (size === 0) throw new ApiError('bad_input', `${config.dataset}: none of the images of a ${split} batch could be decoded (first: ${batch.failed[0]?.file ?? '?'})`)
      const y = new Float32Array(size * outputs)
      for (let i = 0; i < size; i++) {
        if (outputs === 1) y[i] = batch.labels[i]
        else y[i * outputs + batch.labels[i]] = 1
      }
      return { x: batch.x, y, size }
    }
  }
}

import { ApiError } from '../../../src-shared/errors'
import type { ModelInputShape } from '../../../src-shared/model'
import type { TrainConfig } from '../../../src-shared/run'
import { openRunDataset, planSplits, runLabel } from '../data/runDataset'
import type { Batch, TrainingData, TrainSplit } from './trainingData'

/** Decides the model input from the dataset's shape and class count (validateModelFit). */
export type FitInput = (datasetShape: ModelInputShape, numClasses: number) => ModelInputShape

/** Opens a run's dataset as the training loop sees it: lazily decoded, one batch at a time. */
export async function openTrainingData(config: TrainConfig, fitInput: FitInput): Promise<TrainingData> {
  const dataset = await openRunDataset(config)
  const labelKind = config.label.kind
  const classNames = labelKind === 'class' ? dataset.classNames : [config.label.kind === 'attribute' ? config.label.attribute : '']
  const numClasses = labelKind === 'class' ? dataset.classNames.length : 2
  const input = fitInput(dataset.inputShape, numClasses)
  const plans = planSplits(dataset, config)
  const label = runLabel(config)
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

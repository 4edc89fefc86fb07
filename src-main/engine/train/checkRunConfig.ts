import type { TrainConfig } from '../../../src-shared/run'
import { readImportedInput, validateModelFit } from '../models/index'
import { openRunDataset, planSplits } from './datasetTrainingData'

/**
 * Everything that can be refused before a training process starts: the dataset opens, the
 * label exists, the model fits the images and classes, and there is something to train on.
 */
export async function checkRunConfig(config: TrainConfig): Promise<void> {
  const dataset = await openRunDataset(config)
  const numClasses = config.label.kind === 'class' ? dataset.classNames.length : 2
  validateModelFit(config.model, dataset.inputShape, numClasses, await readImportedInput(config.model))
  planSplits(dataset, config)
}

import { ApiError } from '../../../src-shared/errors'
import type { TrainConfig } from '../../../src-shared/run'
import { readImportedInput, validateModelFit } from './modelFit'
import type { WorkspaceDb } from '../store/database'
import { openRunDataset, planSplits } from '../data/runDataset'

/**
 * Everything that can be refused before a training process starts: the dataset opens, the
 * label exists, the model fits the images and classes, and there is something to train on.
 */
export async function checkRunConfig(config: TrainConfig, db?: WorkspaceDb): Promise<void> {
  if (config.source) throw new ApiError('invalid_request', 'source: only opening a model (models.open) makes a model run; to train from one, start a run whose model is fromRun')
  const dataset = await openRunDataset(config)
  const numClasses = config.label.kind === 'class' ? dataset.classNames.length : 2
  validateModelFit(config.model, dataset.inputShape, numClasses, await readImportedInput(config.model, db))
  planSplits(dataset, config)
}

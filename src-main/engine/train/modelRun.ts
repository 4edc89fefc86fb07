import type * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../src-shared/errors'
import { TrainConfig } from '../../../src-shared/run'
import type { WorkspaceDb } from '../store/database'
import { commitEpoch } from '../store/epochStore'
import { createRun, setModelTopology, setRunStatus } from '../store/runStore'
import { snapshotWeights } from '../models/storedModel'
import { storeEpochPyramids } from '../analysis/weights/epochPyramids'
import type { OpenedModel } from '../models/openModel'

export interface ModelRunOptions {
  name?: string
  /** A dataset folder whose images the views use (any whose images fit); optional. */
  dataset?: string
}

/**
 * Stores an opened model as a run: its topology (with the preprocessing layer), epoch 0 with
 * the model's own weights and no metrics, status completed. One transaction: a failure leaves
 * no run behind.
 */
export async function storeModelRun(db: WorkspaceDb, opened: OpenedModel, options: ModelRunOptions = {}): Promise<string> {
  const { source } = opened
  const fileName = source.path.split(/[\\/]/).filter(Boolean).pop() ?? source.path
  const parsed = TrainConfig.safeParse({
    name: options.name ?? fileName,
    dataset: options.dataset ?? '',
    model: { name: 'import', importPath: source.path },
    epochs: 1,
    source
  })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ApiError('invalid_request', `${issue.path.join('.') || 'model run'}: ${issue.message}`)
  }
  const weights = await snapshotWeights(opened.model)
  const topology = (opened.model as tf.LayersModel).toJSON(null, false)
  return db.transaction(() => {
    const id = createRun(db, parsed.data)
    setModelTopology(db, id, topology)
    const metrics = { epoch: 0, trainLoss: null, trainAccuracy: null, valLoss: null, valAccuracy: null, testLoss: null, testAccuracy: null, imagesPerSecond: null, durationMs: null }
    commitEpoch(db, id, { metrics, batchLosses: null, weights, optimizer: [] })
    // Big layers' pyramids with the weights, as the training job stores them, so a 4096² layer's first paint is quick.
    storeEpochPyramids(db, id, 0, weights)
    setRunStatus(db, id, 'completed', `opened from ${source.path}; epoch 0 holds the model's own weights`)
    return id
  })()
}

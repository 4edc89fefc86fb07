/** Opened models as runs: stored with epoch 0 holding the model's own weights, and their preprocessing changed later. */
import * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../src-shared/errors'
import type { Preprocess } from '../../../src-shared/model'
import { TrainConfig } from '../../../src-shared/run'
import { storeEpochPyramids } from '../analysis/weights/epochPyramids'
import { initBackend } from '../backend/select'
import { openModelFile, type OpenedModel, type OpenModelOptions } from '../models/openModel'
import { PREPROCESS_LAYER, preprocessWeights } from '../models/preprocess'
import { snapshotWeights, type RunModelCache } from '../models/storedModel'
import { dropRunAnalyses } from '../store/analysisCache'
import type { WorkspaceDb } from '../store/database'
import { commitEpoch, completeEpochs } from '../store/epochStore'
import { createRun, getRun, setModelTopology, setRunConfig, setRunStatus } from '../store/runStore'

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
  const topology = opened.model.toJSON(null, false)
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

/** Opens a model file (TF.js, ONNX, Keras) and stores it as a run; returns the run's id. */
export async function openModelAsRun(db: WorkspaceDb, path: string, options: OpenModelOptions & ModelRunOptions = {}): Promise<string> {
  await initBackend()
  const opened = await openModelFile(path, { labels: options.labels, inputSize: options.inputSize, preprocess: options.preprocess })
  try {
    return await storeModelRun(db, opened, { name: options.name, dataset: options.dataset })
  } finally {
    opened.model.dispose()
  }
}

/**
 * Changes an opened model's preprocessing: the weights of its fixed first layer at epoch 0 and
 * the run's config, in one transaction. The run's cached analyses and models are dropped.
 */
export async function setModelRunPreprocess(db: WorkspaceDb, models: RunModelCache, runId: string, preprocess: Preprocess): Promise<void> {
  const run = getRun(db, runId)
  const source = run.config.source
  if (!source) throw new ApiError('invalid_request', `run ${runId} was trained here; preprocessing applies to opened models (its images are fed as it was trained)`)
  const metrics = completeEpochs(db, runId).find((m) => m.epoch === 0)
  if (!metrics) throw new ApiError('not_found', `run ${runId} has no epoch 0`)
  const config = TrainConfig.parse({ ...run.config, source: { ...source, preprocess } })
  const model = await models.own(db, runId, 0)
  try {
    const c = source.input.channels
    const { kernel, bias } = preprocessWeights(preprocess, c)
    const values = [tf.tensor4d(kernel, [1, 1, c, c]), tf.tensor1d(bias)]
    model.getLayer(PREPROCESS_LAYER).setWeights(values)
    tf.dispose(values)
    const weights = await snapshotWeights(model)
    db.transaction(() => {
      setRunConfig(db, runId, config)
      commitEpoch(db, runId, { metrics, batchLosses: null, weights, optimizer: [] })
      dropRunAnalyses(db, runId)
    })()
    models.forget(runId)
  } finally {
    model.dispose()
  }
}

import type { PredictResult } from '../../src-shared/api/models'
import { ApiError } from '../../src-shared/errors'
import type { RunSummary } from '../../src-shared/run'
import { TrainConfig } from '../../src-shared/run'
import { loadRunModel } from '../engine/analysis/core/runModel'
import { commitEpoch, completeEpochs } from '../engine/store/epochStore'
import { getRun } from '../engine/store/runStore'
import { snapshotWeights } from '../engine/train/trainLoop'
import { openRunDatasetSafely, readyBackend, requireEpoch, runWithEpochs } from '../engine/analysis/core/runAccess'
import type { ApiContext } from './context'
import type { Handler } from './router'

/** Class names for a run's outputs: an opened model's own, else its dataset's. */
async function runClassNames(context: ApiContext, run: RunSummary): Promise<{ names: string[]; from: string }> {
  if (run.config.source) return { names: run.config.source.classNames, from: run.config.source.classNamesFrom }
  const label = run.config.label
  if (label.kind === 'attribute') return { names: [`not ${label.attribute}`, label.attribute], from: 'the label' }
  const { dataset } = await openRunDatasetSafely(context, run)
  return dataset ? { names: dataset.classNames, from: 'the dataset' } : { names: [], from: 'numbered (the dataset cannot be read)' }
}

export const modelHandlers: {
  'models.open': Handler<'models.open'>
  'models.setPreprocess': Handler<'models.setPreprocess'>
  'models.predict': Handler<'models.predict'>
} = {
  'models.open': async (request, context) => {
    await readyBackend()
    const { openModelFile } = await import('../engine/models/openModel')
    const { storeModelRun } = await import('../engine/models/modelRun')
    if (request.dataset) await context.datasets.open(request.dataset)
    const opened = await openModelFile(request.path, { labels: request.labels, inputSize: request.inputSize, preprocess: request.preprocess })
    try {
      const id = await storeModelRun(context.db, opened, { name: request.name, dataset: request.dataset })
      return getRun(context.db, id)
    } finally {
      opened.model.dispose()
    }
  },

  'models.setPreprocess': async ({ runId, preprocess }, context) => {
    const run = getRun(context.db, runId)
    const source = run.config.source
    if (!source) throw new ApiError('invalid_request', `run ${runId} was trained here; preprocessing applies to opened models (its images are fed as it was trained)`)
    await readyBackend()
    const { PREPROCESS_LAYER, preprocessWeights } = await import('../engine/models/preprocess')
    const tf = await import('@tensorflow/tfjs')
    const model = await loadRunModel(context.db, runId, 0)
    try {
      const layer = model.getLayer(PREPROCESS_LAYER)
      const { kernel, bias } = preprocessWeights(preprocess, source.input.channels)
      const c = source.input.channels
      layer.setWeights([tf.tensor4d(kernel, [1, 1, c, c]), tf.tensor1d(bias)])
      const config = TrainConfig.parse({ ...run.config, source: { ...source, preprocess } })
      const metrics = completeEpochs(context.db, runId).find((m) => m.epoch === 0)
      if (!metrics) throw new ApiError('not_found', `run ${runId} has no epoch 0`)
      const weights = await snapshotWeights(model)
      context.db.transaction(() => {
        context.db.prepare(`UPDATE runs SET config = ?, updated_at = ? WHERE id = ?`).run(JSON.stringify(config), new Date().toISOString(), runId)
        commitEpoch(context.db, runId, { metrics, batchLosses: null, weights, optimizer: [] })
        context.db.prepare(`DELETE FROM analysis_cache WHERE run_id = ? OR other_run_id = ?`).run(runId, runId)
      })()
      context.models.forget(runId)
      return getRun(context.db, runId)
    } finally {
      model.dispose()
    }
  },

  'models.predict': async (request, context) => {
    const { run, epochs } = runWithEpochs(context, request.runId)
    const epoch = request.epoch ?? epochs[epochs.length - 1]
    requireEpoch(epochs, epoch)
    await readyBackend()
    const { predictImages } = await import('../engine/models/predict')
    const classes = await runClassNames(context, run)
    const model = await context.models.get(context.db, request.runId, epoch)
    const predictions = await predictImages(model, request.images, { top: request.top, classNames: classes.names, outputs: run.config.source?.outputs ?? 'probabilities' })
    const result: PredictResult = { runId: run.id, epoch, classNamesFrom: classes.from, predictions }
    return result
  }
}

/**
 * Early exit by feature-map similarity (seed 000): descriptor extraction into the workspace,
 * the early-exit experiment, and Experiment 2 (a model trained on feature maps). Long work runs
 * through the task service (task.progress, task.cancel).
 */
import type * as tf from '@tensorflow/tfjs'
import type { EarlyExitRequest, EarlyExitResult } from '../../src-shared/earlyExit'
import type { RunSummary } from '../../src-shared/run'
import type { Dataset } from '../engine/data/dataset'
import { modelImageShape } from '../engine/analysis/core/imageInput'
import { loadRunModel } from '../engine/analysis/core/runModel'
import { runEarlyExit, type QueryImages } from '../engine/analysis/earlyExit/earlyExitAnalysis'
import { descriptorCounts, readLayerDescriptors } from '../engine/analysis/earlyExit/descriptorStore'
import { extractDescriptors } from '../engine/analysis/earlyExit/extractDescriptors'
import { trainOnFeatureMaps } from '../engine/analysis/earlyExit/featureMapTraining'
import { queryImages, referenceImages } from '../engine/analysis/earlyExit/imageSets'
import { candidateLayers, stagedModel } from '../engine/analysis/earlyExit/stagedModel'
import { cachedAnalysis, storeAnalysis } from '../engine/store/analysisCache'
import { epochStamp } from '../engine/store/epochStamps'
import type { ApiContext } from './context'
import { readyBackend, requireEpoch, requireRunDataset, runWithEpochs } from '../engine/analysis/core/runAccess'
import type { Handler } from './router'
import { runTask } from './tasks'

interface RunAtEpoch {
  run: RunSummary
  epoch: number
  model: tf.LayersModel
  dataset: Dataset
  label: string | undefined
}

async function openRunAtEpoch(context: ApiContext, runId: string, epoch: number | undefined): Promise<RunAtEpoch> {
  const { run, epochs } = runWithEpochs(context, runId)
  const chosen = epoch ?? epochs[epochs.length - 1]
  requireEpoch(epochs, chosen)
  await readyBackend()
  const model = await context.models.get(context.db, runId, chosen)
  const dataset = await requireRunDataset(context, run)
  return { run, epoch: chosen, model, dataset, label: run.config.label.kind === 'attribute' ? run.config.label.attribute : undefined }
}

function layerInfo(context: ApiContext, runId: string, epoch: number, layers: string[]) {
  const counts = descriptorCounts(context.db, runId).filter((c) => c.epoch === epoch)
  return layers.map((layer) => {
    const c = counts.find((x) => x.layer === layer)
    return { layer, count: c?.count ?? 0, dim: c?.dim ?? 0 }
  })
}

async function readQueries(at: RunAtEpoch, count: number, seed: number): Promise<QueryImages> {
  const set = queryImages(at.dataset, at.run.config, count, seed)
  const shape = modelImageShape(at.model)
  const batch = await set.source.readBatch(set.indices, shape, { label: at.label })
  return { x: batch.x, labels: batch.labels, count: batch.indices.length, shape, description: set.description }
}

const LATEST_KIND = 'earlyexit'

function cacheKey(context: ApiContext, request: EarlyExitRequest, epoch: number, layers: string[]): string {
  const { taskId: _taskId, runId, ...params } = request
  return `earlyexit:${runId}:${epochStamp(context.db, runId, epoch)}:${JSON.stringify({ ...params, epoch, layers })}`
}

export const earlyExitHandlers: {
  'earlyExit.descriptors': Handler<'earlyExit.descriptors'>
  'earlyExit.run': Handler<'earlyExit.run'>
  'earlyExit.latest': Handler<'earlyExit.latest'>
  'earlyExit.featureMapTrain': Handler<'earlyExit.featureMapTrain'>
} = {
  'earlyExit.descriptors': async (request, context) => {
    const at = await openRunAtEpoch(context, request.runId, request.epoch)
    const layers = candidateLayers(at.model, request.layers)
    const images = referenceImages(at.dataset, at.run.config)
    const result = await runTask(context, request.taskId, { task: 'descriptor extraction', runId: request.runId }, (control) =>
      extractDescriptors(context.db, { runId: request.runId, epoch: at.epoch, model: at.model, layers, label: at.label }, images, control, request.batchSize)
    )
    return { runId: request.runId, epoch: at.epoch, images: result.images, extracted: result.extracted, source: images.description, layers: layerInfo(context, request.runId, at.epoch, layers) }
  },

  'earlyExit.run': async (request, context) => {
    const at = await openRunAtEpoch(context, request.runId, request.epoch)
    const layers = candidateLayers(at.model, request.layers)
    const key = cacheKey(context, request, at.epoch, layers)
    const hit = cachedAnalysis<EarlyExitResult>(context.db, key)
    if (hit) return hit
    const images = referenceImages(at.dataset, at.run.config)
    // The stages get a model of their own: cutting calls the layers again, which would give the
    // shared (cached) model's layers a second output and break the inspector's views of them.
    const own = await loadRunModel(context.db, request.runId, at.epoch)
    const result = await runTask(context, request.taskId, { task: 'early exit', runId: request.runId }, async (control) => {
      const stages = stagedModel(own, layers)
      await extractDescriptors(context.db, { runId: request.runId, epoch: at.epoch, model: at.model, layers, label: at.label }, images, control, request.batch)
      const references = layers.map((layer) => readLayerDescriptors(context.db, request.runId, at.epoch, layer))
      const queries = await readQueries(at, request.queries, request.seed)
      return runEarlyExit(
        { model: own, stages, layers, references, referenceSource: images.description, queries, classNames: at.dataset.classNames, runId: request.runId, epoch: at.epoch },
        request,
        control
      )
    }).finally(() => own.dispose())
    storeAnalysis(context.db, key, LATEST_KIND, result, request.runId)
    return result
  },

  'earlyExit.latest': ({ runId }, context) => {
    runWithEpochs(context, runId)
    const row = context.db.prepare(`SELECT key FROM analysis_cache WHERE run_id = ? AND kind = ? ORDER BY created_at DESC LIMIT 1`).get(runId, LATEST_KIND) as { key: string } | undefined
    return row ? cachedAnalysis<EarlyExitResult>(context.db, row.key) : null
  },

  'earlyExit.featureMapTrain': async (request, context) => {
    const at = await openRunAtEpoch(context, request.runId, request.epoch)
    return runTask(context, request.taskId, { task: 'training on feature maps', runId: request.runId }, (control) => trainOnFeatureMaps(context.db, at, request, control))
  }
}

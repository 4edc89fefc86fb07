/**
 * Early exit by feature-map similarity on a stored run: descriptor extraction into the
 * workspace, the early-exit experiment (kept in the analysis cache), and Experiment 2 (a model
 * trained on feature maps).
 */
import type * as tf from '@tensorflow/tfjs'
import type { ParsedRequestOf } from '../../../../src-shared/contract'
import type { DescriptorsResult, EarlyExitResult, FeatureMapTrainResult } from '../../../../src-shared/earlyExit'
import type { RunSummary } from '../../../../src-shared/run'
import type { Dataset } from '../../data/dataset'
import { runLabel } from '../../data/runDataset'
import { cachedAnalysis, latestAnalysis, storeAnalysis } from '../../store/analysisCache'
import type { WorkspaceDb } from '../../store/database'
import { descriptorCounts, readLayerDescriptors } from '../../store/descriptorStore'
import { epochStamp } from '../../store/epochStamps'
import type { TaskControl } from '../../tasks/taskControl'
import { modelImageShape } from '../core/imageInput'
import { runEarlyExit } from './earlyExitAnalysis'
import type { QueryImages } from './earlyExitInputs'
import { extractDescriptors } from './extractDescriptors'
import { trainOnFeatureMaps } from './featureMapTraining'
import { queryImages, referenceImages } from './imageSets'
import { candidateLayers, stagedModel } from './stagedModel'
import { requireEpoch, requireRunDataset, runWithEpochs, type RunWorkspace } from '../core/runAccess'

interface RunAtEpoch {
  run: RunSummary
  epoch: number
  model: tf.LayersModel
  dataset: Dataset
  label: string | undefined
}

/** The run at `epoch` (its last by default) with its shared model and its dataset. */
async function openRunAtEpoch(sources: RunWorkspace, runId: string, epoch: number | undefined): Promise<RunAtEpoch> {
  const { run, epochs } = runWithEpochs(sources, runId)
  const chosen = epoch ?? epochs[epochs.length - 1]
  requireEpoch(epochs, chosen)
  const model = await sources.models.get(sources.db, runId, chosen)
  const dataset = await requireRunDataset(sources, run)
  return { run, epoch: chosen, model, dataset, label: runLabel(run.config) }
}

function layerInfo(db: WorkspaceDb, runId: string, epoch: number, layers: string[]) {
  const counts = descriptorCounts(db, runId).filter((c) => c.epoch === epoch)
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

/** Extracts (or resumes extracting) the reference images' descriptors at the candidate layers. */
export async function descriptorsOfRun(sources: RunWorkspace, request: ParsedRequestOf<'earlyExit.descriptors'>, control: TaskControl = {}): Promise<DescriptorsResult> {
  const at = await openRunAtEpoch(sources, request.runId, request.epoch)
  const layers = candidateLayers(at.model, request.layers)
  const images = referenceImages(at.dataset, at.run.config)
  const result = await extractDescriptors(sources.db, { runId: request.runId, epoch: at.epoch, model: at.model, layers, label: at.label }, images, control, request.batchSize)
  return { runId: request.runId, epoch: at.epoch, images: result.images, extracted: result.extracted, source: images.description, layers: layerInfo(sources.db, request.runId, at.epoch, layers) }
}

/** The early-exit experiment on the run, from the analysis cache when it was run with the same parameters on the same epoch. */
export async function earlyExitOfRun(sources: RunWorkspace, request: ParsedRequestOf<'earlyExit.run'>, control: TaskControl = {}): Promise<EarlyExitResult> {
  const at = await openRunAtEpoch(sources, request.runId, request.epoch)
  const layers = candidateLayers(at.model, request.layers)
  const { taskId: _taskId, runId, ...params } = request
  const key = `earlyexit:${runId}:${epochStamp(sources.db, runId, at.epoch)}:${JSON.stringify({ ...params, epoch: at.epoch, layers })}`
  const hit = cachedAnalysis<EarlyExitResult>(sources.db, key)
  if (hit) return hit
  const images = referenceImages(at.dataset, at.run.config)
  // The stages get a model of their own: cutting calls the layers again, which would give the
  // shared (cached) model's layers a second output and break the inspector's views of them.
  const own = await sources.models.own(sources.db, runId, at.epoch)
  try {
    const stages = stagedModel(own, layers)
    await extractDescriptors(sources.db, { runId, epoch: at.epoch, model: at.model, layers, label: at.label }, images, control, request.batch)
    const references = layers.map((layer) => readLayerDescriptors(sources.db, runId, at.epoch, layer))
    const queries = await readQueries(at, request.queries, request.seed)
    const result = await runEarlyExit(
      { model: own, stages, layers, references, referenceSource: images.description, queries, classNames: at.dataset.classNames, runId, epoch: at.epoch },
      request,
      control
    )
    storeAnalysis(sources.db, key, LATEST_KIND, result, runId)
    return result
  } finally {
    own.dispose()
  }
}

/** The run's most recent early-exit result, or null. */
export function latestEarlyExit(ws: Pick<RunWorkspace, 'db'>, runId: string): EarlyExitResult | null {
  runWithEpochs(ws, runId)
  return latestAnalysis<EarlyExitResult>(ws.db, runId, LATEST_KIND)
}

/** Experiment 2 on the run at an epoch (see featureMapTraining.ts). */
export async function featureMapTrainOfRun(sources: RunWorkspace, request: ParsedRequestOf<'earlyExit.featureMapTrain'>, control: TaskControl = {}): Promise<FeatureMapTrainResult> {
  const at = await openRunAtEpoch(sources, request.runId, request.epoch)
  return trainOnFeatureMaps(sources.db, at, request, control)
}

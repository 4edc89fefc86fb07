/**
 * What the analyses of a stored run share: the run with its complete epochs, its dataset (or why
 * it cannot be opened), and its model at an epoch: the shared cached copy for short reads, or an
 * own copy for long work, made from the cached one so SQLite is read once per epoch.
 */
import * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../../src-shared/errors'
import type { RunSummary } from '../../../../src-shared/run'
import { initBackend } from '../../backend/select'
import type { Dataset } from '../../data/dataset'
import type { DatasetCache } from '../../data/datasetCache'
import type { WorkspaceDb } from '../../store/database'
import { completeEpochNumbers } from '../../store/epochStamps'
import { getRun } from '../../store/runStore'
import type { RunModelCache } from './runModel'

/** The open workspace as the analyses see it: its database and the caches of models and datasets. */
export interface RunWorkspace {
  db: WorkspaceDb
  models: RunModelCache
  datasets: DatasetCache
}

/** The run and its complete epochs; fails when it has none yet. */
export function runWithEpochs(ws: Pick<RunWorkspace, 'db'>, runId: string): { run: RunSummary; epochs: number[] } {
  const run = getRun(ws.db, runId)
  const epochs = completeEpochNumbers(ws.db, runId)
  if (epochs.length === 0) throw new ApiError('not_found', `${runId} has no stored epochs yet; the inspector opens once epoch 0 is saved`)
  return { run, epochs }
}

export function requireEpoch(epochs: number[], epoch: number, field = 'epoch'): void {
  if (!epochs.includes(epoch)) {
    const list = epochs.length > 12 ? `${epochs[0]} to ${epochs[epochs.length - 1]}` : epochs.join(', ')
    throw new ApiError('not_found', `${field}: epoch ${epoch} is not stored for this run; stored epochs are ${list}`)
  }
}

/** The epoch asked for (checked), or the last stored one. */
export function chosenEpoch(epochs: number[], epoch: number | undefined): number {
  const chosen = epoch ?? epochs[epochs.length - 1]
  requireEpoch(epochs, chosen)
  return chosen
}

/** The run's dataset under its label, or why it cannot be opened (moved, deleted). */
export async function openRunDatasetSafely(ws: Pick<RunWorkspace, 'datasets'>, run: RunSummary): Promise<{ dataset: Dataset | null; error: string | null }> {
  if (run.config.source && !run.config.dataset) return { dataset: null, error: 'this opened model has no dataset; upload an image, or open the model again with a dataset folder' }
  try {
    const label = run.config.label.kind === 'attribute' ? run.config.label.attribute : undefined
    return { dataset: await ws.datasets.open(run.config.dataset, label), error: null }
  } catch (err) {
    return { dataset: null, error: `${run.config.dataset}: ${(err as Error).message}` }
  }
}

export async function requireRunDataset(ws: Pick<RunWorkspace, 'datasets'>, run: RunSummary): Promise<Dataset> {
  const { dataset, error } = await openRunDatasetSafely(ws, run)
  if (!dataset) throw new ApiError('not_found', `the run's dataset cannot be read (${error}); restore the folder to use dataset images`)
  return dataset
}

/** tfjs needs its backend chosen before the first tensor; the same choice as the rest of the process. */
export async function readyBackend(): Promise<void> {
  await initBackend()
}

/**
 * An own copy of `model`, which the caller disposes: the same topology with copies of its
 * weights, so a cache that evicts and disposes the original meanwhile does not touch it.
 */
export async function copyModel(model: tf.LayersModel): Promise<tf.LayersModel> {
  const weights = model.getWeights().map((w) => w.clone())
  try {
    const topology = model.toJSON(null, false)
    if (typeof topology === 'string') throw new ApiError('internal', `${model.name}: the model's topology came back as text, not as an object`)
    const copy = await tf.models.modelFromJSON({ modelTopology: topology })
    copy.setWeights(weights)
    return copy
  } finally {
    tf.dispose(weights)
  }
}

export interface LoadedRunModel {
  run: RunSummary
  epoch: number
  model: tf.LayersModel
}

/** Runs `use` with an own copy of the run's model at `epoch` (the last by default), disposed afterwards. */
export async function withOwnRunModel<T>(ws: RunWorkspace, runId: string, epoch: number | undefined, use: (m: LoadedRunModel) => Promise<T>): Promise<T> {
  const { run, epochs } = runWithEpochs(ws, runId)
  const chosen = chosenEpoch(epochs, epoch)
  await readyBackend()
  const model = await copyModel(await ws.models.get(ws.db, runId, chosen))
  try {
    return await use({ run, epoch: chosen, model })
  } finally {
    model.dispose()
  }
}

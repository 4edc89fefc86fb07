/**
 * What the analyses of a stored run share: the run with its complete epochs and weights, its
 * dataset (or why it cannot be opened), and its model at an epoch from the workspace's one
 * model cache (models/storedModel.ts): the shared copy for short reads, or an own copy for long
 * work.
 */
import type * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../../src-shared/errors'
import type { RunSummary } from '../../../../src-shared/run'
import type { Dataset } from '../../data/dataset'
import type { DatasetCache } from '../../data/datasetCache'
import { runLabel } from '../../data/runDataset'
import type { RunModelCache } from '../../models/storedModel'
import type { WorkspaceDb } from '../../store/database'
import { completeEpochNumbers } from '../../store/epochStamps'
import { listTensors, type TensorInfo } from '../../store/epochStore'
import { getRun } from '../../store/runStore'

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
    return { dataset: await ws.datasets.open(run.config.dataset, runLabel(run.config)), error: null }
  } catch (err) {
    return { dataset: null, error: `${run.config.dataset}: ${(err as Error).message}` }
  }
}

export async function requireRunDataset(ws: Pick<RunWorkspace, 'datasets'>, run: RunSummary): Promise<Dataset> {
  const { dataset, error } = await openRunDatasetSafely(ws, run)
  if (!dataset) throw new ApiError('not_found', `the run's dataset cannot be read (${error}); restore the folder to use dataset images`)
  return dataset
}

/** A weight tensor by name or position, as stored at the run's epoch `epoch` (its last, usually). */
export function resolveWeight(ws: Pick<RunWorkspace, 'db'>, runId: string, epoch: number, ref: string | number): TensorInfo {
  const tensors = listTensors(ws.db, runId, epoch, 'weight')
  const found = typeof ref === 'number' ? tensors.find((t) => t.position === ref) : tensors.find((t) => t.name === ref)
  if (!found) {
    const names = tensors.map((t) => `${t.position}: ${t.name}`).join(', ')
    throw new ApiError('not_found', `weight: the run has no weight ${typeof ref === 'number' ? `at position ${ref}` : `"${ref}"`}; its weights are ${names}`)
  }
  return found
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
  const model = await ws.models.own(ws.db, runId, chosen)
  try {
    return await use({ run, epoch: chosen, model })
  } finally {
    model.dispose()
  }
}

/**
 * What the inspector handlers share: checking a run's epochs and weights, opening its dataset,
 * and the in-memory matrices behind zoom and pan.
 */
import { ApiError } from '../../src-shared/errors'
import type { RunSummary } from '../../src-shared/run'
import { initBackend } from '../engine/backend/select'
import type { Dataset } from '../engine/data/dataset'
import { MatrixCache } from '../engine/analysis/core/matrixCache'
import type { WorkspaceDb } from '../engine/store/database'
import { completeEpochNumbers } from '../engine/store/epochStamps'
import { listTensors, type TensorInfo } from '../engine/store/epochStore'
import { getRun } from '../engine/store/runStore'
import type { ApiContext } from './context'

/** The run and its complete epochs; fails when it has none yet. */
export function runWithEpochs(context: ApiContext, runId: string): { run: RunSummary; epochs: number[] } {
  const run = getRun(context.db, runId)
  const epochs = completeEpochNumbers(context.db, runId)
  if (epochs.length === 0) throw new ApiError('not_found', `${runId} has no stored epochs yet; the inspector opens once epoch 0 is saved`)
  return { run, epochs }
}

export function requireEpoch(epochs: number[], epoch: number, field = 'epoch'): void {
  if (!epochs.includes(epoch)) {
    const list = epochs.length > 12 ? `${epochs[0]} to ${epochs[epochs.length - 1]}` : epochs.join(', ')
    throw new ApiError('not_found', `${field}: epoch ${epoch} is not stored for this run; stored epochs are ${list}`)
  }
}

/** A weight tensor by name or position, as stored at the run's last epoch. */
export function resolveWeight(db: WorkspaceDb, runId: string, lastEpoch: number, ref: string | number): TensorInfo {
  const tensors = listTensors(db, runId, lastEpoch, 'weight')
  const found = typeof ref === 'number' ? tensors.find((t) => t.position === ref) : tensors.find((t) => t.name === ref)
  if (!found) {
    const names = tensors.map((t) => `${t.position}: ${t.name}`).join(', ')
    throw new ApiError('not_found', `weight: the run has no weight ${typeof ref === 'number' ? `at position ${ref}` : `"${ref}"`}; its weights are ${names}`)
  }
  return found
}

/** The run's dataset under its label, or why it cannot be opened (moved, deleted). */
export async function openRunDatasetSafely(context: ApiContext, run: RunSummary): Promise<{ dataset: Dataset | null; error: string | null }> {
  if (run.config.source && !run.config.dataset) return { dataset: null, error: 'this opened model has no dataset; upload an image, or open the model again with a dataset folder' }
  try {
    const label = run.config.label.kind === 'attribute' ? run.config.label.attribute : undefined
    return { dataset: await context.datasets.open(run.config.dataset, label), error: null }
  } catch (err) {
    return { dataset: null, error: `${run.config.dataset}: ${(err as Error).message}` }
  }
}

export async function requireRunDataset(context: ApiContext, run: RunSummary): Promise<Dataset> {
  const { dataset, error } = await openRunDatasetSafely(context, run)
  if (!dataset) throw new ApiError('not_found', `the run's dataset cannot be read (${error}); restore the folder to use dataset images`)
  return dataset
}

/** tfjs needs its backend chosen before the first tensor; the same choice as the rest of the process. */
export async function readyBackend(): Promise<void> {
  await initBackend()
}

export interface Sized {
  byteLength: number
}

const matrixCaches = new WeakMap<WorkspaceDb, MatrixCache<Sized>>()

/** Full-resolution matrices of one workspace kept for zoom and pan (see MatrixCache). */
export function matricesOf(db: WorkspaceDb): MatrixCache<Sized> {
  let cache = matrixCaches.get(db)
  if (!cache) matrixCaches.set(db, (cache = new MatrixCache<Sized>()))
  return cache
}

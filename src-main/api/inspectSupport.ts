/**
 * What the inspector handlers share: finding a run's weights, and the in-memory matrices behind
 * zoom and pan. (A run's epochs, dataset and model: engine/analysis/core/runAccess.)
 */
import { ApiError } from '../../src-shared/errors'
import { MatrixCache } from '../engine/analysis/core/matrixCache'
import type { WorkspaceDb } from '../engine/store/database'
import { listTensors, type TensorInfo } from '../engine/store/epochStore'

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

/**
 * Pre-pooled pyramids of an epoch's big weight matrices, stored in the workspace's analysis
 * cache under the key the inspector reads. The training job stores them as it commits each
 * epoch, so the first look at a 4096×4096 layer of any epoch paints from the pyramid instead of
 * reading and pooling 64 MB.
 */
import type { MatrixPyramid } from '../core/matrixPyramid'
import type { StoredTensor } from '../../store/epochStore'
import type { WorkspaceDb } from '../../store/database'
import { cachedAnalysis, storeAnalysis } from '../../store/analysisCache'
import { epochStamp } from '../../store/epochStamps'
import { weightMatrixLayout } from './weightMatrix'
import { WeightSource } from './weightViews'

/** Below this many weights a full pass is quick (~20 ms), and no pyramid is kept. */
export const PYRAMID_MIN_WEIGHTS = 1 << 20

/** The analysis-cache key of the pyramid of weight `position` at a stored epoch. */
export function pyramidKey(db: WorkspaceDb, runId: string, epoch: number, position: number): string {
  return `inspect.pyramid:${runId}:${epochStamp(db, runId, epoch)}:${position}`
}

export function needsPyramid(shape: number[]): boolean {
  return shape.reduce((a, b) => a * b, 1) >= PYRAMID_MIN_WEIGHTS
}

/** Builds and stores the pyramid of one weight, unless it is stored already; returns it. */
export function storeWeightPyramid(db: WorkspaceDb, runId: string, epoch: number, position: number, tensor: Pick<StoredTensor, 'shape' | 'data'>): MatrixPyramid {
  const key = pyramidKey(db, runId, epoch, position)
  const stored = cachedAnalysis<MatrixPyramid>(db, key)
  if (stored) return stored
  const pyramid = new WeightSource(weightMatrixLayout(tensor.shape), tensor.data as Float32Array).pyramid()
  storeAnalysis(db, key, 'inspect.pyramid', pyramid, runId)
  return pyramid
}

/** Stores the pyramids of every big float weight of a just-committed epoch (positions as committed). */
export function storeEpochPyramids(db: WorkspaceDb, runId: string, epoch: number, weights: StoredTensor[]): number {
  let stored = 0
  weights.forEach((tensor, position) => {
    if (tensor.dtype !== 'float32' || !needsPyramid(tensor.shape)) return
    storeWeightPyramid(db, runId, epoch, position, tensor)
    stored++
  })
  return stored
}

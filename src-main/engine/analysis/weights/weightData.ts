/**
 * Where the weight views get their data: stored tensors and statistics kept in memory while a
 * user zooms and pans, and pre-pooled pyramids of big matrices kept in the workspace, so the
 * first look at a 4096×4096 layer does not wait for 64 MB to be read and pooled.
 */
import { MatrixCache } from '../core/matrixCache'
import { buildPyramid, pyramidBytes, type MatrixPyramid } from '../core/matrixPyramid'
import type { WorkspaceDb } from '../../store/database'
import { cachedAnalysis, hasAnalysis, storeAnalysis } from '../../store/analysisCache'
import { dropStaleAnalyses, epochStamp, historyStamp } from '../../store/epochStamps'
import { listTensors, loadTensor, type TensorInfo } from '../../store/epochStore'
import type { TaskControl } from '../../tasks/taskControl'
import { needsPyramid, pyramidKey, PYRAMID_MIN_WEIGHTS } from './epochPyramids'
import { weightEvolution, type WeightEvolution } from './weightEvolution'
import { weightMatrixLayout } from './weightMatrix'
import { WeightSource } from './weightViews'

/** How long a background pyramid build waits, so the view that started it is answered first. */
const BACKGROUND_DELAY_MS = 100

interface Sized {
  byteLength: number
}

const matrixCaches = new WeakMap<WorkspaceDb, MatrixCache<Sized>>()

/** Full-resolution matrices of one workspace kept for zoom and pan (see MatrixCache). */
function matricesOf(db: WorkspaceDb): MatrixCache<Sized> {
  let cache = matrixCaches.get(db)
  if (!cache) matrixCaches.set(db, (cache = new MatrixCache<Sized>()))
  return cache
}

/** The tensor at `position` and `epoch`, read once and kept while it is being looked at. */
export async function epochSource(db: WorkspaceDb, runId: string, epoch: number, position: number): Promise<WeightSource> {
  const key = `${runId}:source:${epochStamp(db, runId, epoch)}:${position}`
  return (await matricesOf(db).get(key, () => {
    const tensor = loadTensor(db, runId, epoch, 'weight', position)
    return new WeightSource(weightMatrixLayout(tensor.shape), tensor.data as Float32Array)
  })) as WeightSource
}

interface PyramidEntry {
  value: MatrixPyramid
  byteLength: number
}

/**
 * The pyramid of a big weight at an epoch: from memory, else the workspace, else built from the
 * stored tensor and kept in the workspace. Null for small weights. With `wait` false, a pyramid
 * that would have to be built is built in the background and null is returned at once: one
 * pooling pass over the weights paints the first view sooner than building every level does.
 */
export async function epochPyramid(db: WorkspaceDb, runId: string, epoch: number, info: TensorInfo, wait = true): Promise<MatrixPyramid | null> {
  if (!needsPyramid(info.shape)) return null
  const key = pyramidKey(db, runId, epoch, info.position)
  const cache = matricesOf(db)
  if (!wait) {
    const ready = cache.ready(key)
    if (ready) return ((await ready) as PyramidEntry).value
    if (!hasAnalysis(db, key)) {
      // After this view's answer has gone out; the build reuses the weights that view reads.
      setTimeout(() => void loadPyramid().catch(() => undefined), BACKGROUND_DELAY_MS)
      return null
    }
  }
  return loadPyramid()

  async function loadPyramid(): Promise<MatrixPyramid> {
    const entry = await cache.get(key, async () => {
      let value = cachedAnalysis<MatrixPyramid>(db, key)
      if (!value) {
        // Runs trained before the job stored pyramids at commit, or written by other tools.
        value = (await epochSource(db, runId, epoch, info.position)).pyramid()
        storeAnalysis(db, key, 'inspect.pyramid', value, runId)
      }
      return { value, byteLength: pyramidBytes(value) } satisfies PyramidEntry
    })
    return (entry as PyramidEntry).value
  }
}

export interface EvolutionEntry {
  value: WeightEvolution
  /** Pyramids of the mean and variance maps of a big layer. */
  mean: MatrixPyramid | null
  variance: MatrixPyramid | null
  byteLength: number
}

/**
 * Statistics over every stored epoch: from memory, else from the workspace cache, else
 * computed (one epoch at a time, reporting to `control`) and stored. The key carries the
 * epochs' commit stamps, so training on or resuming invalidates it.
 */
export async function evolutionOf(db: WorkspaceDb, runId: string, epochs: number[], position: number, bins: number, control?: TaskControl): Promise<EvolutionEntry> {
  const prefix = `inspect.weightStats:${runId}:${position}:${bins}:`
  const key = prefix + historyStamp(db, runId)
  return (await matricesOf(db).get(key, async () => {
    let value = cachedAnalysis<WeightEvolution>(db, key)
    if (!value) {
      value = await weightEvolution(db, runId, position, epochs, bins, control)
      storeAnalysis(db, key, 'inspect.weightStats', value, runId)
      dropStaleAnalyses(db, prefix, key)
    }
    const { rows, cols } = value.layout
    const big = rows * cols >= PYRAMID_MIN_WEIGHTS
    const mean = big ? buildPyramid(value.mean, rows, cols) : null
    const variance = big ? buildPyramid(value.variance, rows, cols) : null
    const byteLength = value.mean.byteLength + value.variance.byteLength + (mean && variance ? pyramidBytes(mean) + pyramidBytes(variance) : 0)
    return { value, mean, variance, byteLength } satisfies EvolutionEntry
  })) as EvolutionEntry
}

/**
 * Prepares the pyramids of one stored epoch's big weights at a time, in the order the epochs
 * arrive, so opening the inspector after training paints big maps at once.
 */
export function pyramidPreparer(db: WorkspaceDb): (runId: string, epoch: number) => void {
  let queue = Promise.resolve()
  return (runId, epoch) => {
    queue = queue.then(async () => {
      try {
        for (const info of listTensors(db, runId, epoch, 'weight')) await epochPyramid(db, runId, epoch, info)
      } catch {
        // The run or epoch may be gone already (deleted, resumed from earlier); the view builds it on demand.
      }
    })
  }
}

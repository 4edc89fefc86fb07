/**
 * Where the weight views get their data: stored tensors and statistics kept in memory while a
 * user zooms and pans, and pre-pooled pyramids of big matrices kept in the workspace, so the
 * first look at a 4096×4096 layer does not wait for 64 MB to be read and pooled.
 */
import type { MatrixPyramid } from '../engine/analysis/core/matrixPyramid'
import { buildPyramid, pyramidBytes } from '../engine/analysis/core/matrixPyramid'
import { needsPyramid, pyramidKey, PYRAMID_MIN_WEIGHTS } from '../engine/analysis/weights/epochPyramids'
import { weightEvolution, type WeightEvolution } from '../engine/analysis/weights/weightEvolution'
import { weightMatrixLayout } from '../engine/analysis/weights/weightMatrix'
import { WeightSource } from '../engine/analysis/weights/weightViews'
import { cachedAnalysis, hasAnalysis, storeAnalysis } from '../engine/store/analysisCache'
import { dropStaleAnalyses, epochStamp, historyStamp } from '../engine/store/epochStamps'
import { listTensors, loadTensor, type TensorInfo } from '../engine/store/epochStore'
import type { ApiContext } from './context'
import { matricesOf } from './inspectSupport'
import { runTask } from './tasks'

export { PYRAMID_MIN_WEIGHTS }

/** How long a background pyramid build waits, so the view that started it is answered first. */
const BACKGROUND_DELAY_MS = 100

const memoryKey = (context: ApiContext, key: string) => `${context.workspace.dir}:${key}`

/** The tensor at `position` and `epoch`, read once and kept while it is being looked at. */
export async function epochSource(context: ApiContext, runId: string, epoch: number, position: number): Promise<WeightSource> {
  const key = memoryKey(context, `${runId}:source:${epochStamp(context.db, runId, epoch)}:${position}`)
  return (await matricesOf(context.db).get(key, () => {
    const tensor = loadTensor(context.db, runId, epoch, 'weight', position)
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
export async function epochPyramid(context: ApiContext, runId: string, epoch: number, info: TensorInfo, wait = true): Promise<MatrixPyramid | null> {
  if (!needsPyramid(info.shape)) return null
  const key = pyramidKey(context.db, runId, epoch, info.position)
  const cache = matricesOf(context.db)
  if (!wait) {
    const ready = cache.ready(memoryKey(context, key))
    if (ready) return ((await ready) as PyramidEntry).value
    if (!hasAnalysis(context.db, key)) {
      // After this view's answer has gone out; the build reuses the weights that view reads.
      setTimeout(() => void loadPyramid().catch(() => undefined), BACKGROUND_DELAY_MS)
      return null
    }
  }
  return loadPyramid()

  async function loadPyramid(): Promise<MatrixPyramid> {
    const entry = await cache.get(memoryKey(context, key), async () => {
      let value = cachedAnalysis<MatrixPyramid>(context.db, key)
      if (!value) {
        // Runs trained before the job stored pyramids at commit, or written by other tools.
        value = (await epochSource(context, runId, epoch, info.position)).pyramid()
        storeAnalysis(context.db, key, 'inspect.pyramid', value, runId)
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
 * computed (one epoch at a time) and stored. The key carries the epochs' commit stamps, so
 * training on or resuming invalidates it.
 */
export async function evolutionOf(context: ApiContext, runId: string, epochs: number[], position: number, bins: number, taskId?: string): Promise<EvolutionEntry> {
  const prefix = `inspect.weightStats:${runId}:${position}:${bins}:`
  const key = prefix + historyStamp(context.db, runId)
  return (await matricesOf(context.db).get(memoryKey(context, key), async () => {
    let value = cachedAnalysis<WeightEvolution>(context.db, key)
    if (!value) {
      value = await runTask(context, taskId, { task: 'weight statistics', runId }, (control) => weightEvolution(context.db, runId, position, epochs, bins, control))
      storeAnalysis(context.db, key, 'inspect.weightStats', value, runId)
      dropStaleAnalyses(context.db, prefix, key)
    }
    const { rows, cols } = value.layout
    const big = rows * cols >= PYRAMID_MIN_WEIGHTS
    const mean = big ? buildPyramid(value.mean, rows, cols) : null
    const variance = big ? buildPyramid(value.variance, rows, cols) : null
    const byteLength = value.mean.byteLength + value.variance.byteLength + (mean ? pyramidBytes(mean) + pyramidBytes(variance!) : 0)
    return { value, mean, variance, byteLength } satisfies EvolutionEntry
  })) as EvolutionEntry
}

/**
 * Prepares the pyramids of big weights as each epoch is stored, while training runs in its own
 * process and the host is idle, so opening the inspector afterwards paints big maps at once.
 * `prepare` is where the work runs: here by default, or in the host's analysis worker.
 */
export function preparePyramidsOnEpochs(context: ApiContext, prepare: (runId: string, epoch: number) => void = pyramidPreparer(context)): () => void {
  return context.events.subscribe((name, payload) => {
    if (name !== 'runs.epoch') return
    const { runId, metrics } = payload as { runId: string; metrics: { epoch: number } }
    prepare(runId, metrics.epoch)
  })
}

/** Prepares one stored epoch's pyramids at a time, in the order the epochs arrive. */
export function pyramidPreparer(context: ApiContext): (runId: string, epoch: number) => void {
  let queue = Promise.resolve()
  return (runId, epoch) => {
    queue = queue.then(async () => {
      try {
        for (const info of listTensors(context.db, runId, epoch, 'weight')) await epochPyramid(context, runId, epoch, info)
      } catch {
        // The run or epoch may be gone already (deleted, resumed from earlier); the view builds it on demand.
      }
    })
  }
}

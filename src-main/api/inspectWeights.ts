/**
 * Inspector handlers for weights (seed 004): a weight matrix at an epoch, mean and variance
 * maps over training with histograms, exact values under the cursor, and change norms.
 * Matrices are computed once at full resolution and block-pooled per request, so zooming and
 * panning a 4096×4096 layer only re-pools a region.
 */
import type { ParsedRequestOf } from '../../src-shared/contract'
import { ApiError } from '../../src-shared/errors'
import type { WeightStatsResponse } from '../../src-shared/inspect'
import { changeNormsOfRun, type RunChangeNorms } from '../engine/analysis/changeNorms'
import { downsampleMatrix } from '../engine/analysis/downsample'
import { weightEvolution, type WeightEvolution } from '../engine/analysis/weightEvolution'
import { toWeightMatrix, weightMatrixLayout, weightSourceIndex } from '../engine/analysis/weightMatrix'
import { cachedAnalysis, storeAnalysis, withAnalysisCache } from '../engine/store/analysisCache'
import { dropStaleAnalyses, epochStamp, historyStamp } from '../engine/store/epochStamps'
import { loadTensor } from '../engine/store/epochStore'
import type { ApiContext } from './context'
import { asTask, matricesOf, requireEpoch, resolveWeight, runWithEpochs } from './inspectSupport'
import type { Handler } from './router'

const DEFAULT_BINS = 64

interface EpochMatrix {
  data: Float32Array
  byteLength: number
}

/** The weight at `position` and `epoch` as its layout's matrix, from memory when recently used. */
async function epochMatrix(context: ApiContext, runId: string, epoch: number, position: number): Promise<Float32Array> {
  const key = `${context.workspace.dir}:${runId}:w:${epochStamp(context.db, runId, epoch)}:${position}`
  const entry = await matricesOf(context.db).get(key, () => {
    const tensor = loadTensor(context.db, runId, epoch, 'weight', position)
    const data = toWeightMatrix(tensor.data as Float32Array, weightMatrixLayout(tensor.shape))
    return { data, byteLength: data.byteLength } satisfies EpochMatrix
  })
  return (entry as EpochMatrix).data
}

interface EvolutionEntry {
  value: WeightEvolution
  byteLength: number
}

/**
 * Statistics over every stored epoch: from memory, else from the workspace cache, else
 * computed (one epoch at a time) and stored. The key carries the epochs' commit stamps, so
 * training on or resuming invalidates it.
 */
async function evolutionOf(context: ApiContext, runId: string, epochs: number[], position: number, bins: number, taskId?: string): Promise<WeightEvolution> {
  const prefix = `inspect.weightStats:${runId}:${position}:${bins}:`
  const key = prefix + historyStamp(context.db, runId)
  const entry = await matricesOf(context.db).get(`${context.workspace.dir}:${key}`, async () => {
    let value = cachedAnalysis<WeightEvolution>(context.db, key)
    if (!value) {
      value = await asTask(context, taskId, runId, 'weight statistics', (hooks) => weightEvolution(context.db, runId, position, epochs, bins, hooks))
      storeAnalysis(context.db, key, 'inspect.weightStats', value, runId)
      dropStaleAnalyses(context.db, prefix, key)
    }
    return { value, byteLength: value.mean.byteLength + value.variance.byteLength } satisfies EvolutionEntry
  })
  return (entry as EvolutionEntry).value
}

export const inspectWeightHandlers: {
  'inspect.weights': Handler<'inspect.weights'>
  'inspect.weightStats': Handler<'inspect.weightStats'>
  'inspect.weightValue': Handler<'inspect.weightValue'>
  'inspect.changeNorms': Handler<'inspect.changeNorms'>
} = {
  'inspect.weights': async (request, context) => {
    const { epochs } = runWithEpochs(context, request.runId)
    requireEpoch(epochs, request.epoch)
    const info = resolveWeight(context.db, request.runId, request.epoch, request.weight)
    const layout = weightMatrixLayout(info.shape)
    const data = await epochMatrix(context, request.runId, request.epoch, info.position)
    const matrix = downsampleMatrix(data, layout.rows, layout.cols, { maxRows: request.maxRows, maxCols: request.maxCols, mode: request.mode, region: request.region })
    return { runId: request.runId, epoch: request.epoch, position: info.position, name: info.name, layout, matrix }
  },

  'inspect.weightStats': async (request, context) => weightStats(request, context),

  'inspect.weightValue': async (request, context) => {
    const { epochs } = runWithEpochs(context, request.runId)
    const info = resolveWeight(context.db, request.runId, epochs[epochs.length - 1], request.weight)
    const layout = weightMatrixLayout(info.shape)
    const index = weightSourceIndex(layout, request.row, request.col)
    let data: Float32Array
    if (request.map === 'epoch') {
      if (request.epoch === undefined) throw new ApiError('invalid_request', 'epoch: map "epoch" needs the epoch whose weight to read')
      requireEpoch(epochs, request.epoch)
      data = await epochMatrix(context, request.runId, request.epoch, info.position)
    } else {
      const evolution = await evolutionOf(context, request.runId, epochs, info.position, DEFAULT_BINS)
      data = request.map === 'mean' ? evolution.mean : evolution.variance
    }
    return { row: request.row, col: request.col, index, value: data[request.row * layout.cols + request.col] }
  },

  'inspect.changeNorms': async (request, context) => {
    const { epochs } = runWithEpochs(context, request.runId)
    const prefix = `inspect.changeNorms:${request.runId}:`
    const key = prefix + historyStamp(context.db, request.runId)
    const result = await withAnalysisCache<RunChangeNorms>(context.db, key, 'inspect.changeNorms', [request.runId, null], () =>
      asTask(context, request.taskId, request.runId, 'change norms', (hooks) => changeNormsOfRun(context.db, request.runId, epochs, hooks))
    )
    dropStaleAnalyses(context.db, prefix, key)
    return { runId: request.runId, ...result }
  }
}

async function weightStats(request: ParsedRequestOf<'inspect.weightStats'>, context: ApiContext): Promise<WeightStatsResponse> {
  const { epochs } = runWithEpochs(context, request.runId)
  const info = resolveWeight(context.db, request.runId, epochs[epochs.length - 1], request.weight)
  const evolution = await evolutionOf(context, request.runId, epochs, info.position, request.bins, request.taskId)
  const { rows, cols } = evolution.layout
  const pool = { maxRows: request.maxRows, maxCols: request.maxCols, mode: request.mode, region: request.region }
  return {
    runId: request.runId,
    position: info.position,
    name: evolution.name,
    layout: evolution.layout,
    epochs: evolution.epochs,
    mean: downsampleMatrix(evolution.mean, rows, cols, pool),
    variance: downsampleMatrix(evolution.variance, rows, cols, pool),
    summaries: evolution.summaries,
    histograms: evolution.histograms
  }
}

/**
 * Inspector handlers for weights (seed 004): a weight matrix at an epoch, mean and variance
 * maps over training with histograms, exact values under the cursor, and change norms. Views
 * are block-pooled to screen size per request (from a pyramid when the matrix is big), so
 * zooming and panning a 4096×4096 layer only pools the visible region.
 */
import type { ParsedRequestOf } from '../../src-shared/contract'
import { ApiError } from '../../src-shared/errors'
import type { WeightStatsResponse } from '../../src-shared/inspect'
import { changeNormsOfRun, type RunChangeNorms } from '../engine/analysis/weights/changeNorms'
import { downsampleMatrix } from '../engine/analysis/core/downsample'
import { viewFromPyramid, type MatrixPyramid } from '../engine/analysis/core/matrixPyramid'
import { weightMatrixLayout, weightSourceFlatIndex, weightSourceIndex } from '../engine/analysis/weights/weightMatrix'
import type { ViewOptions } from '../engine/analysis/weights/weightViews'
import { withAnalysisCache } from '../engine/store/analysisCache'
import { dropStaleAnalyses, historyStamp } from '../engine/store/epochStamps'
import type { ApiContext } from './context'
import { epochPyramid, epochSource, evolutionOf } from './inspectWeightData'
import { requireEpoch, runWithEpochs } from '../engine/analysis/core/runAccess'
import { resolveWeight } from './inspectSupport'
import { runTask } from './tasks'
import type { Handler } from './router'

const DEFAULT_BINS = 64

/** A statistics map pooled from its pyramid where that is exact, else from the full map. */
function statisticView(map: Float32Array, pyramid: MatrixPyramid | null, rows: number, cols: number, options: ViewOptions) {
  return (pyramid && options.mode === 'maxabs' ? viewFromPyramid(pyramid, options) : null) ?? downsampleMatrix(map, rows, cols, options)
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
    const options: ViewOptions = { maxRows: request.maxRows, maxCols: request.maxCols, mode: request.mode, region: request.region }
    // A whole or zoomed-out view of a big layer comes from its pyramid without reading the weights;
    // without one yet (a run stored before pyramids were kept), one pass over the weights, while
    // the pyramid is built in the background for the next view.
    const pyramid = request.mode === 'maxabs' ? await epochPyramid(context, request.runId, request.epoch, info, false) : null
    const matrix = (pyramid ? viewFromPyramid(pyramid, options) : null) ?? (await epochSource(context, request.runId, request.epoch, info.position)).view(options, null)
    return { runId: request.runId, epoch: request.epoch, position: info.position, name: info.name, layout, matrix }
  },

  'inspect.weightStats': async (request, context) => weightStats(request, context),

  'inspect.weightValue': async (request, context) => {
    const { epochs } = runWithEpochs(context, request.runId)
    const info = resolveWeight(context.db, request.runId, epochs[epochs.length - 1], request.weight)
    const layout = weightMatrixLayout(info.shape)
    const index = weightSourceIndex(layout, request.row, request.col)
    if (request.map === 'epoch') {
      if (request.epoch === undefined) throw new ApiError('invalid_request', 'epoch: map "epoch" needs the epoch whose weight to read')
      requireEpoch(epochs, request.epoch)
      const source = await epochSource(context, request.runId, request.epoch, info.position)
      return { row: request.row, col: request.col, index, value: source.stored[weightSourceFlatIndex(layout, request.row, request.col)] }
    }
    const { value: evolution } = await evolutionOf(context, request.runId, epochs, info.position, DEFAULT_BINS)
    const map = request.map === 'mean' ? evolution.mean : evolution.variance
    return { row: request.row, col: request.col, index, value: map[request.row * layout.cols + request.col] }
  },

  'inspect.changeNorms': async (request, context) => {
    const { epochs } = runWithEpochs(context, request.runId)
    const prefix = `inspect.changeNorms:${request.runId}:`
    const key = prefix + historyStamp(context.db, request.runId)
    const result = await withAnalysisCache<RunChangeNorms>(context.db, key, 'inspect.changeNorms', [request.runId, null], () =>
      runTask(context, request.taskId, { task: 'change norms', runId: request.runId }, (control) => changeNormsOfRun(context.db, request.runId, epochs, control))
    )
    dropStaleAnalyses(context.db, prefix, key)
    return { runId: request.runId, ...result }
  }
}

async function weightStats(request: ParsedRequestOf<'inspect.weightStats'>, context: ApiContext): Promise<WeightStatsResponse> {
  const { epochs } = runWithEpochs(context, request.runId)
  const info = resolveWeight(context.db, request.runId, epochs[epochs.length - 1], request.weight)
  const entry = await evolutionOf(context, request.runId, epochs, info.position, request.bins, request.taskId)
  const evolution = entry.value
  const { rows, cols } = evolution.layout
  const pool: ViewOptions = { maxRows: request.maxRows, maxCols: request.maxCols, mode: request.mode, region: request.region }
  return {
    runId: request.runId,
    position: info.position,
    name: evolution.name,
    layout: evolution.layout,
    epochs: evolution.epochs,
    mean: statisticView(evolution.mean, entry.mean, rows, cols, pool),
    variance: statisticView(evolution.variance, entry.variance, rows, cols, pool),
    summaries: evolution.summaries,
    histograms: evolution.histograms
  }
}

/**
 * The inspector's weight views of a stored run: a weight matrix at an epoch, mean and variance
 * maps over training with histograms, exact values under the cursor, and change norms. Views
 * are block-pooled to screen size per request (from a pyramid when the matrix is big), so
 * zooming and panning a 4096×4096 layer only pools the visible region.
 */
import type { ParsedRequestOf } from '../../../../src-shared/contract'
import { ApiError } from '../../../../src-shared/errors'
import type { ChangeNormsResponse, WeightMatrixResponse, WeightStatsResponse, WeightValueResponse } from '../../../../src-shared/inspect'
import { withAnalysisCache } from '../../store/analysisCache'
import { dropStaleAnalyses, historyStamp } from '../../store/epochStamps'
import type { TaskControl } from '../../tasks/taskControl'
import { downsampleMatrix } from '../core/downsample'
import { viewFromPyramid, type MatrixPyramid } from '../core/matrixPyramid'
import { changeNormsOfRun, type RunChangeNorms } from './changeNorms'
import { epochPyramid, epochSource, evolutionOf } from './weightData'
import { weightMatrixLayout, weightSourceFlatIndex, weightSourceIndex } from './weightMatrix'
import type { ViewOptions } from './weightViews'
import { requireEpoch, resolveWeight, runWithEpochs, type RunWorkspace } from '../core/runAccess'

const DEFAULT_BINS = 64

/** A statistics map pooled from its pyramid where that is exact, else from the full map. */
function statisticView(map: Float32Array, pyramid: MatrixPyramid | null, rows: number, cols: number, options: ViewOptions) {
  return (pyramid && options.mode === 'maxabs' ? viewFromPyramid(pyramid, options) : null) ?? downsampleMatrix(map, rows, cols, options)
}

export async function runWeightMatrix(ws: Pick<RunWorkspace, 'db'>, request: ParsedRequestOf<'inspect.weights'>): Promise<WeightMatrixResponse> {
  const { epochs } = runWithEpochs(ws, request.runId)
  requireEpoch(epochs, request.epoch)
  const info = resolveWeight(ws, request.runId, request.epoch, request.weight)
  const layout = weightMatrixLayout(info.shape)
  const options: ViewOptions = { maxRows: request.maxRows, maxCols: request.maxCols, mode: request.mode, region: request.region }
  // A whole or zoomed-out view of a big layer comes from its pyramid without reading the weights;
  // without one yet (a run stored before pyramids were kept), one pass over the weights, while
  // the pyramid is built in the background for the next view.
  const pyramid = request.mode === 'maxabs' ? await epochPyramid(ws.db, request.runId, request.epoch, info, false) : null
  const matrix = (pyramid ? viewFromPyramid(pyramid, options) : null) ?? (await epochSource(ws.db, request.runId, request.epoch, info.position)).view(options, null)
  return { runId: request.runId, epoch: request.epoch, position: info.position, name: info.name, layout, matrix }
}

export async function runWeightStats(ws: Pick<RunWorkspace, 'db'>, request: ParsedRequestOf<'inspect.weightStats'>, control: TaskControl = {}): Promise<WeightStatsResponse> {
  const { epochs } = runWithEpochs(ws, request.runId)
  const info = resolveWeight(ws, request.runId, epochs[epochs.length - 1], request.weight)
  const entry = await evolutionOf(ws.db, request.runId, epochs, info.position, request.bins, control)
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

export async function runWeightValue(ws: Pick<RunWorkspace, 'db'>, request: ParsedRequestOf<'inspect.weightValue'>): Promise<WeightValueResponse> {
  const { epochs } = runWithEpochs(ws, request.runId)
  const info = resolveWeight(ws, request.runId, epochs[epochs.length - 1], request.weight)
  const layout = weightMatrixLayout(info.shape)
  const index = weightSourceIndex(layout, request.row, request.col)
  if (request.map === 'epoch') {
    if (request.epoch === undefined) throw new ApiError('invalid_request', 'epoch: map "epoch" needs the epoch whose weight to read')
    requireEpoch(epochs, request.epoch)
    const source = await epochSource(ws.db, request.runId, request.epoch, info.position)
    return { row: request.row, col: request.col, index, value: source.stored[weightSourceFlatIndex(layout, request.row, request.col)] }
  }
  const { value: evolution } = await evolutionOf(ws.db, request.runId, epochs, info.position, DEFAULT_BINS)
  const map = request.map === 'mean' ? evolution.mean : evolution.variance
  return { row: request.row, col: request.col, index, value: map[request.row * layout.cols + request.col] }
}

/** How far each layer's weights moved between stored epochs (kept in the analysis cache for the run's history). */
export async function runChangeNorms(ws: Pick<RunWorkspace, 'db'>, runId: string, control: TaskControl = {}): Promise<ChangeNormsResponse> {
  const { epochs } = runWithEpochs(ws, runId)
  const prefix = `inspect.changeNorms:${runId}:`
  const key = prefix + historyStamp(ws.db, runId)
  const result = await withAnalysisCache<RunChangeNorms>(ws.db, key, 'inspect.changeNorms', [runId, null], () => changeNormsOfRun(ws.db, runId, epochs, control))
  dropStaleAnalyses(ws.db, prefix, key)
  return { runId, ...result }
}

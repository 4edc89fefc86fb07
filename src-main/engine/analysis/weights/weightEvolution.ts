/**
 * A layer's weights over training (seed 004): per-weight mean and variance across every
 * cached epoch, per-epoch summaries and histograms. Epochs are read from the workspace one at
 * a time and folded into running accumulators, so a 4096×4096 layer over many epochs never
 * holds more than one epoch plus the accumulators in memory.
 */
import { ApiError } from '../../../../src-shared/errors'
import type { WorkspaceDb } from '../../store/database'
import { loadTensor } from '../../store/epochStore'
import { TaskProgressTracker, type TaskControl } from '../../tasks/taskControl'
import { toWeightMatrix, weightMatrixLayout, type WeightMatrixLayout } from './weightMatrix'
import type { EpochWeightSummary } from '../../../../src-shared/inspect'
import { histogram, sharedBinEdges, WeightHistory } from './weightStats'

export interface EpochHistogram {
  epoch: number
  edges: Float32Array
  counts: Uint32Array
}

export interface WeightEvolution {
  position: number
  name: string
  layout: WeightMatrixLayout
  epochs: number[]
  /** Row-major layout.rows × layout.cols, in the layout's matrix (conv kernels reshaped). */
  mean: Float32Array
  /** Population variance (ddof 0) per weight, same layout. */
  variance: Float32Array
  summaries: EpochWeightSummary[]
  histograms: EpochHistogram[]
}

/**
 * Folds epochs `epochs` of the weight tensor at `position` into a WeightHistory. Each epoch's
 * histogram uses `bins` equal bins over that epoch's own range: the range of later epochs is
 * not known while the first are read, and a second pass would double the reading.
 */
export async function weightEvolution(db: WorkspaceDb, runId: string, position: number, epochs: number[], bins: number, control: TaskControl = {}): Promise<WeightEvolution> {
  if (epochs.length === 0) throw new ApiError('not_found', `${runId} has no stored epochs yet`)
  let history: WeightHistory | null = null
  let layout: WeightMatrixLayout | null = null
  let name = ''
  const histograms: EpochHistogram[] = []
  const progress = new TaskProgressTracker(epochs.length, control, 'the weight statistics')
  for (const epoch of epochs) {
    await progress.step()
    const tensor = loadTensor(db, runId, epoch, 'weight', position)
    if (tensor.dtype !== 'float32') throw new ApiError('bad_input', `${tensor.name} is ${tensor.dtype}; weight statistics need float weights`)
    if (!layout) {
      layout = weightMatrixLayout(tensor.shape)
      history = new WeightHistory(tensor.data.length)
      name = tensor.name
    } else if (tensor.name !== name) {
      throw new ApiError('bad_input', `${runId}: weight ${position} is ${name} at epoch ${epochs[0]} but ${tensor.name} at epoch ${epoch}; the run's data is inconsistent`)
    }
    const data = tensor.data as Float32Array
    const summary = history!.add(epoch, data)
    const edges = sharedBinEdges([summary], bins)
    histograms.push({ epoch, edges: Float32Array.from(edges), counts: histogram(data, edges).counts })
    progress.advance(1)
  }
  progress.finish()
  return {
    position,
    name,
    layout: layout!,
    epochs: [...epochs],
    mean: toWeightMatrix(history!.meanMap(), layout!),
    variance: toWeightMatrix(history!.varianceMap(0), layout!),
    summaries: [...history!.summaries],
    histograms
  }
}

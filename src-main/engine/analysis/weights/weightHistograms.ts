/**
 * Histograms of one weight tensor in two runs, for every epoch both have, on bins shared by all
 * of them so the bars can be overlaid and compared epoch to epoch (issue 7). Each epoch's
 * tensor is read twice (range, then counts) rather than held, so a 4096×4096 layer over many
 * epochs needs memory for one copy only.
 */
import { ApiError } from '../../../../src-shared/errors'
import type { WorkspaceDb } from '../../store/database'
import { listTensors, loadTensor } from '../../store/epochStore'
import { histogram, sharedBinEdges } from './weightStats'

export interface OverlaidHistograms {
  shape: number[]
  edges: Float64Array<ArrayBuffer>
  /** epochs × bins per run. */
  countsA: Uint32Array<ArrayBuffer>
  countsB: Uint32Array<ArrayBuffer>
}

function weightPosition(db: WorkspaceDb, runId: string, epoch: number, weight: string): { position: number; shape: number[] } {
  const list = listTensors(db, runId, epoch, 'weight')
  const found = list.find((t) => t.name === weight)
  if (!found) throw new ApiError('invalid_request', `weight: ${runId} has no weight "${weight}"; it has ${list.map((t) => t.name).join(', ')}`)
  return { position: found.position, shape: found.shape }
}

function range(data: Float32Array | Int32Array): { min: number; max: number } {
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < data.length; i++) {
    min = Math.min(min, data[i])
    max = Math.max(max, data[i])
  }
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw new ApiError('bad_input', 'the weight holds non-finite values; the run diverged')
  return { min, max }
}

export function overlaidWeightHistograms(db: WorkspaceDb, runs: [string, string], weight: string, epochs: number[], bins: number): OverlaidHistograms {
  if (epochs.length === 0) throw new ApiError('not_found', 'the two runs have no epoch in common yet')
  const where = runs.map((run) => weightPosition(db, run, epochs[0], weight))
  if (where[0].shape.join('x') !== where[1].shape.join('x')) {
    throw new ApiError('invalid_request', `weight: "${weight}" has shape [${where[0].shape.join(', ')}] in run A but [${where[1].shape.join(', ')}] in run B; choose a weight both share`)
  }
  const load = (k: number, epoch: number) => loadTensor(db, runs[k], epoch, 'weight', where[k].position).data
  const ranges = epochs.flatMap((epoch) => [range(load(0, epoch)), range(load(1, epoch))])
  const edges = sharedBinEdges(ranges, bins)
  const counts = [new Uint32Array(epochs.length * bins), new Uint32Array(epochs.length * bins)]
  epochs.forEach((epoch, e) => {
    for (const k of [0, 1]) {
      const data = load(k, epoch)
      counts[k].set(histogram(data instanceof Int32Array ? Float32Array.from(data) : data, edges).counts, e * bins)
    }
  })
  return { shape: where[0].shape, edges: Float64Array.from(edges), countsA: counts[0], countsB: counts[1] }
}

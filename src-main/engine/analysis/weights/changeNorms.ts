/**
 * How far every weight tensor moves from epoch to epoch: ‖W_e − W_e−1‖_F, also relative to
 * ‖W_e−1‖_F. Reads one tensor of two consecutive epochs at a time, so the largest layer bounds
 * the memory, not the model or the number of epochs.
 */
import type { WorkspaceDb } from '../../store/database'
import { listTensors, loadTensor } from '../../store/epochStore'
import { TaskProgressTracker, type TaskControl } from '../../tasks/taskControl'
import { weightChangeNorm } from './weightStats'

export interface LayerChangeNorms {
  position: number
  name: string
  shape: number[]
  norms: Float32Array
  /** NaN for the first epoch, which has nothing to change from. */
  changeNorms: Float32Array
  relativeChanges: Float32Array
}

export interface RunChangeNorms {
  epochs: number[]
  layers: LayerChangeNorms[]
}

function norm(data: ArrayLike<number>): number {
  let s = 0
  for (let i = 0; i < data.length; i++) s += data[i] * data[i]
  return Math.sqrt(s)
}

export async function changeNormsOfRun(db: WorkspaceDb, runId: string, epochs: number[], control: TaskControl = {}): Promise<RunChangeNorms> {
  if (epochs.length === 0) return { epochs: [], layers: [] }
  const tensors = listTensors(db, runId, epochs[epochs.length - 1], 'weight').filter((t) => t.dtype === 'float32')
  const progress = new TaskProgressTracker(tensors.length * epochs.length, control, 'the change norms')
  const layers: LayerChangeNorms[] = []
  for (const info of tensors) {
    progress.stage(info.name)
    const norms = new Float32Array(epochs.length)
    const changeNorms = new Float32Array(epochs.length).fill(NaN)
    const relativeChanges = new Float32Array(epochs.length).fill(NaN)
    let previous: Float32Array | null = null
    for (const [k, epoch] of epochs.entries()) {
      await progress.step()
      const data = loadTensor(db, runId, epoch, 'weight', info.position).data as Float32Array
      norms[k] = norm(data)
      // A tensor that changed size (a different model resumed under the same id) has no change norm.
      if (previous && previous.length === data.length) {
        changeNorms[k] = weightChangeNorm(data, previous)
        relativeChanges[k] = norms[k - 1] > 0 ? changeNorms[k] / norms[k - 1] : NaN
      }
      previous = data
      progress.advance(1)
    }
    layers.push({ position: info.position, name: info.name, shape: info.shape, norms, changeNorms, relativeChanges })
  }
  progress.finish()
  return { epochs: [...epochs], layers }
}

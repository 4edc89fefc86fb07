/** A stored run's complete epochs and weights, checked, with errors that say what is stored. */
import { ApiError } from '../../../src-shared/errors'
import type { RunSummary } from '../../../src-shared/run'
import type { WorkspaceDb } from './database'
import { completeEpochNumbers } from './epochStamps'
import { listTensors, type TensorInfo } from './epochStore'
import { getRun } from './runStore'

/** The run and its complete epochs; fails when it has none yet. */
export function runWithEpochs(db: WorkspaceDb, runId: string): { run: RunSummary; epochs: number[] } {
  const run = getRun(db, runId)
  const epochs = completeEpochNumbers(db, runId)
  if (epochs.length === 0) throw new ApiError('not_found', `${runId} has no stored epochs yet; the inspector opens once epoch 0 is saved`)
  return { run, epochs }
}

export function requireEpoch(epochs: number[], epoch: number, field = 'epoch'): void {
  if (!epochs.includes(epoch)) {
    const list = epochs.length > 12 ? `${epochs[0]} to ${epochs[epochs.length - 1]}` : epochs.join(', ')
    throw new ApiError('not_found', `${field}: epoch ${epoch} is not stored for this run; stored epochs are ${list}`)
  }
}

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

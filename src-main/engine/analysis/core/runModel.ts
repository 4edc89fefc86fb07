import * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../../src-shared/errors'
import type { WorkspaceDb } from '../../store/database'
import { lastCompleteEpoch, loadTensors } from '../../store/epochStore'
import { modelTopology } from '../../store/runStore'
import { modelFromTopology } from '../../models/modelFromTopology'

/**
 * A run's network at a stored epoch: the topology saved when training started, with that
 * epoch's weights (checksums verified). Layer names are the run's own (`block3_conv2`).
 */
export async function loadRunModel(db: WorkspaceDb, runId: string, epoch: number): Promise<tf.LayersModel> {
  const topology = modelTopology(db, runId)
  if (!topology) throw new ApiError('not_found', `${runId} has no stored model yet; it has not started training`)
  const last = lastCompleteEpoch(db, runId)
  if (last === null || epoch < 0 || epoch > last) {
    throw new ApiError('not_found', `${runId} has no epoch ${epoch}; stored epochs are ${last === null ? 'none yet' : `0 to ${last}`}`)
  }
  const stored = loadTensors(db, runId, epoch, 'weight')
  return modelFromTopology(topology, () => ({ inOrder: stored.map((w) => tf.tensor(w.data, w.shape, w.dtype)) }), { where: `${runId}, epoch ${epoch}`, what: "run's stored model" })
}

/** Keeps the last few loaded models, since views step through epochs and images of one run. */
export class RunModelCache {
  private readonly entries = new Map<string, Promise<tf.LayersModel>>()
  constructor(private readonly capacity = 4) {}

  get(db: WorkspaceDb, runId: string, epoch: number): Promise<tf.LayersModel> {
    const key = `${runId}@${epoch}`
    let entry = this.entries.get(key)
    if (entry) {
      this.entries.delete(key)
      this.entries.set(key, entry)
      return entry
    }
    entry = loadRunModel(db, runId, epoch)
    entry.catch(() => this.entries.delete(key))
    this.entries.set(key, entry)
    while (this.entries.size > this.capacity) {
      const [oldest, model] = this.entries.entries().next().value as [string, Promise<tf.LayersModel>]
      this.entries.delete(oldest)
      void model.then((m) => m.dispose()).catch(() => undefined)
    }
    return entry
  }

  /** Drops a run's models, e.g. after it is deleted or trained further. */
  forget(runId: string): void {
    for (const [key, model] of this.entries) {
      if (key.startsWith(`${runId}@`)) {
        this.entries.delete(key)
        void model.then((m) => m.dispose()).catch(() => undefined)
      }
    }
  }
}

/**
 * Every named layer's output for a batch, in one forward pass. Returns tensors the caller
 * must dispose. Input layers are skipped (their output is the image itself).
 */
export function layerActivations(model: tf.LayersModel, x: tf.Tensor, layerNames?: string[]): Map<string, tf.Tensor> {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer' && (!layerNames || layerNames.includes(l.name)))
  if (layerNames) {
    const missing = layerNames.filter((n) => !layers.some((l) => l.name === n))
    if (missing.length) throw new ApiError('not_found', `the model has no layer ${missing.map((m) => `"${m}"`).join(', ')}; its layers are ${model.layers.map((l) => l.name).join(', ')}`)
  }
  const probe = tf.model({ inputs: model.inputs, outputs: layers.map((l) => l.output as tf.SymbolicTensor) })
  const outputs = probe.predict(x) as tf.Tensor | tf.Tensor[]
  const list = Array.isArray(outputs) ? outputs : [outputs]
  return new Map(layers.map((l, i) => [l.name, list[i]]))
}

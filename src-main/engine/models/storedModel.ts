/**
 * A run's network as the workspace stores it, both ways: the weights of a tfjs model copied out
 * for an epoch commit, and the model of a stored epoch rebuilt from the run's topology and that
 * epoch's weights. The one loader of a stored run's model, and its cache.
 */
import * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../src-shared/errors'
import { initBackend } from '../backend/select'
import type { WorkspaceDb } from '../store/database'
import { lastCompleteEpoch, loadTensors, type StoredTensor } from '../store/epochStore'
import { modelTopology } from '../store/runStore'
import { modelFromTopology } from './modelFromTopology'

/** Copies of every weight, named by layer (not the process-unique variable name). Reads are async: a GPU backend has no synchronous read. */
export async function snapshotWeights(model: tf.LayersModel): Promise<StoredTensor[]> {
  return Promise.all(
    model.weights.map(async (w): Promise<StoredTensor> => {
      const value = w.read()
      return { name: w.originalName, shape: value.shape.slice(), dtype: 'float32', data: new Float32Array(await value.data()) }
    })
  )
}

/**
 * A run's network at a stored epoch: the topology saved when training started, with that
 * epoch's weights (checksums verified). Layer names are the run's own (`block3_conv2`).
 * The caller owns (and disposes) the model; views share models through RunModelCache.
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

/**
 * An own copy of `model`, which the caller disposes: the same topology with copies of its
 * weights, so a cache that evicts and disposes the original meanwhile does not touch it.
 */
export async function copyModel(model: tf.LayersModel): Promise<tf.LayersModel> {
  const weights = model.getWeights().map((w) => w.clone())
  try {
    const topology = model.toJSON(null, false)
    if (typeof topology === 'string') throw new ApiError('internal', `${model.name}: the model's topology came back as text, not as an object`)
    const copy = await tf.models.modelFromJSON({ modelTopology: topology })
    copy.setWeights(weights)
    return copy
  } finally {
    tf.dispose(weights)
  }
}

/**
 * Where the analyses get a run's model at an epoch. Both ways choose the tfjs backend first
 * (the same choice as the rest of the process). `get` keeps the last few loaded models, since
 * views step through epochs and images of one run; `own` gives a copy of that model for work
 * that outlives a view or changes the model (cutting it into stages), which the caller disposes.
 * Either way SQLite is read once per epoch.
 */
export class RunModelCache {
  private readonly entries = new Map<string, Promise<tf.LayersModel>>()
  constructor(private readonly capacity = 4) {}

  /** The shared instance: never dispose it, and do not call its layers on new inputs. */
  async get(db: WorkspaceDb, runId: string, epoch: number): Promise<tf.LayersModel> {
    await initBackend()
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

  /**
   * A model of the caller's own, disposed by the caller: the shared one may be evicted (and
   * disposed) while a long computation between batches is still using it.
   */
  async own(db: WorkspaceDb, runId: string, epoch: number): Promise<tf.LayersModel> {
    return copyModel(await this.get(db, runId, epoch))
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

import type * as tf from '@tensorflow/tfjs'
import { TrainConfig } from '../../src-shared/run'
import type { WorkspaceDb } from '../../src-main/engine/store/database'
import { commitEpoch, type StoredTensor } from '../../src-main/engine/store/epochStore'
import { createRun, setModelTopology } from '../../src-main/engine/store/runStore'

/** The model's weights as stored; fixtures are built on wasm/cpu, where a synchronous read is a copy. */
function weightsNow(model: tf.LayersModel): StoredTensor[] {
  return model.weights.map((w) => ({ name: w.originalName, shape: w.read().shape.slice(), dtype: 'float32', data: new Float32Array(w.read().dataSync()) }))
}

const noMetrics = { trainLoss: null, trainAccuracy: null, valLoss: null, valAccuracy: null, testLoss: null, testAccuracy: null, imagesPerSecond: null, durationMs: null }

/**
 * Stores a real tfjs model as a run in a real workspace, the way training does (topology, then
 * one atomic commit per epoch), with the weights of epoch e given by `weightsAt`. Lets a test
 * know every stored weight exactly without training for minutes.
 */
export function storeRun(
  db: WorkspaceDb,
  model: tf.LayersModel,
  epochs: number,
  weightsAt: (epoch: number, initial: StoredTensor[]) => StoredTensor[] = (_e, initial) => initial,
  config = TrainConfig.parse({ dataset: 'mnist', model: { name: 'minimal' }, epochs: Math.max(1, epochs - 1) })
): string {
  const runId = createRun(db, config)
  setModelTopology(db, runId, model.toJSON(null, false))
  const initial = weightsNow(model)
  for (let epoch = 0; epoch < epochs; epoch++) {
    commitEpoch(db, runId, { metrics: { epoch, ...noMetrics }, batchLosses: null, weights: weightsAt(epoch, initial), optimizer: [] })
  }
  db.prepare(`UPDATE runs SET status = 'completed' WHERE id = ?`).run(runId)
  return runId
}

/** Every weight moved by a deterministic, epoch-dependent amount (a stand-in for training steps). */
export function driftingWeights(epoch: number, initial: StoredTensor[]): StoredTensor[] {
  return initial.map((t, k) => ({
    ...t,
    data: Float32Array.from(t.data, (v, i) => v + 0.01 * epoch * Math.sin(i * 0.37 + k + epoch * 1.3) + 0.002 * epoch * epoch)
  }))
}

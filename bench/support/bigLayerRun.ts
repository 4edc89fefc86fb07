/**
 * A workspace holding a run with seed 004's big layer: an MLP whose fc2 is a 4096×4096 dense
 * kernel, with `epochs` stored epochs whose weights drift as training would move them. Built
 * with the real stores (topology, atomic epoch commits), so the benchmarks read what the
 * inspector reads. Not a test fixture: benchmarks only.
 */
import * as tf from '@tensorflow/tfjs'
import { join } from 'node:path'
import { TrainConfig } from '../../src-shared/run'
import { initBackend } from '../../src-main/engine/backend/select'
import { openWorkspaceDb } from '../../src-main/engine/store/database'
import { storeEpochPyramids } from '../../src-main/engine/analysis/weights/epochPyramids'
import { commitEpoch } from '../../src-main/engine/store/epochStore'
import { createRun, setModelTopology } from '../../src-main/engine/store/runStore'
import { snapshotWeights } from '../../src-main/engine/models/storedModel'

export const BIG = 4096

/** `pyramidEpochs`: the epochs whose big-layer pyramids are stored at commit, as the training job does. */
export async function makeBigLayerRun(dir: string, epochs: number, pyramidEpochs: number[] = []): Promise<{ runId: string; database: string; writeMs: number }> {
  await initBackend()
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [8, 8, 1], name: 'flatten' }),
      tf.layers.dense({ units: BIG, activation: 'relu', name: 'fc1' }),
      tf.layers.dense({ units: BIG, activation: 'relu', name: 'fc2' }),
      tf.layers.dense({ units: 10, activation: 'softmax', name: 'predictions' })
    ]
  })
  const database = join(dir, 'featurelens.sqlite')
  const db = openWorkspaceDb(database)
  const runId = createRun(db, TrainConfig.parse({ dataset: 'mnist', model: { name: 'fcnn3' }, epochs: epochs - 1, name: 'fc2 4096×4096 (benchmark)' }))
  setModelTopology(db, runId, model.toJSON(null, false))
  const initial = await snapshotWeights(model)
  model.dispose()
  const started = performance.now()
  for (let epoch = 0; epoch < epochs; epoch++) {
    // Each epoch nudges every weight a little, differently per weight and epoch, so the variance map has structure.
    const weights = initial.map((t) => {
      const data = new Float32Array(t.data.length)
      const step = 0.004 * epoch
      for (let i = 0; i < data.length; i++) data[i] = t.data[i] + step * Math.sin(i * 0.001 + epoch) * ((i % 4096) / 4096)
      return { ...t, data }
    })
    const metrics = { epoch, trainLoss: null, trainAccuracy: null, valLoss: null, valAccuracy: null, testLoss: null, testAccuracy: null, imagesPerSecond: null, durationMs: null }
    commitEpoch(db, runId, { metrics, batchLosses: null, weights, optimizer: [] })
    if (pyramidEpochs.includes(epoch)) storeEpochPyramids(db, runId, epoch, weights)
  }
  db.prepare(`UPDATE runs SET status = 'completed' WHERE id = ?`).run(runId)
  db.close()
  return { runId, database, writeMs: performance.now() - started }
}

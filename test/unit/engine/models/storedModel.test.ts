import * as tf from '@tensorflow/tfjs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { TrainConfig } from '../../../../src-shared/run'
import { layerActivations } from '../../../../src-main/engine/analysis/core/layerActivations'
import { loadRunModel, snapshotWeights } from '../../../../src-main/engine/models/storedModel'
import { buildModel } from '../../../../src-main/engine/models/index'
import { openWorkspaceDb } from '../../../../src-main/engine/store/database'
import { commitEpoch } from '../../../../src-main/engine/store/epochStore'
import { createRun, setModelTopology } from '../../../../src-main/engine/store/runStore'
import { tempDir } from '../../../support/workspace'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

describe('loading a run model at an epoch', () => {
  it('rebuilds the stored topology with the stored weights and gives every layer output', async () => {
    const db = openWorkspaceDb(join(tempDir('fl-rm-'), 'featurelens.sqlite'))
    const config = TrainConfig.parse({ dataset: 'mnist', model: { name: 'minimal' } })
    const runId = createRun(db, config)
    const model = await buildModel(config.model, { height: 28, width: 28, channels: 1 }, 10, 'softmax', 5)
    setModelTopology(db, runId, model.toJSON(null, false))
    const metrics = { epoch: 0, trainLoss: null, trainAccuracy: null, valLoss: null, valAccuracy: null, testLoss: null, testAccuracy: null, imagesPerSecond: null, durationMs: null }
    commitEpoch(db, runId, { metrics, batchLosses: null, weights: await snapshotWeights(model), optimizer: [] })

    const loaded = await loadRunModel(db, runId, 0)
    expect(loaded.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name))
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 1)
    const a = model.predict(x) as tf.Tensor
    const b = loaded.predict(x) as tf.Tensor
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()))

    const acts = layerActivations(loaded, x)
    expect([...acts.keys()]).toEqual(loaded.layers.filter((l) => l.getClassName() !== 'InputLayer').map((l) => l.name))
    expect(acts.get(loaded.layers[loaded.layers.length - 1].name)!.shape).toEqual([2, 10])
    tf.dispose([x, a, b, ...acts.values()])

    await expect(loadRunModel(db, runId, 3)).rejects.toThrow(/no epoch 3; stored epochs are 0 to 0/)
    expect(() => layerActivations(loaded, tf.zeros([1, 28, 28, 1]), ['nope'])).toThrow(/no layer "nope"/)
    db.close()
  })
})

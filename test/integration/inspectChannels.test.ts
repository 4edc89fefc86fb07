import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TaskProgress } from '../../src-shared/api/tasks'
import { datasetSample } from '../../src-main/engine/analysis/core/imageSample'
import { initBackend } from '../../src-main/engine/backend/select'
import { openDataset } from '../../src-main/engine/data/index'
import type { OpenApi } from '../../src-main/api/openApi'
import { storeRun } from '../support/storedRun'
import { openTestApi } from '../support/workspace'

let api: OpenApi
let runId: string
let model: tf.LayersModel

/**
 * Three hand-set channels after ReLU: 0 an edge detector (fires on strokes only), 1 a zero
 * kernel with bias −1 (never fires: dead), 2 a zero kernel with bias +1 (fires everywhere).
 */
function probeModel(): tf.LayersModel {
  const m = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 3, kernelSize: 3, activation: 'relu', name: 'probe' }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ units: 10, activation: 'softmax', name: 'predictions' })
    ]
  })
  const kernel = new Float32Array(27)
  const sobel = [-1, 0, 1, -2, 0, 2, -1, 0, 1]
  for (let p = 0; p < 9; p++) kernel[p * 3] = sobel[p]
  m.getLayer('probe').setWeights([tf.tensor4d(kernel, [3, 3, 1, 3]), tf.tensor1d([0, -1, 1])])
  return m
}

beforeAll(async () => {
  await initBackend()
  api = openTestApi()
  model = probeModel()
  runId = storeRun(api.context.db, model, 2)
})
afterAll(() => api?.close())

describe('inspect.channels', () => {
  it('lists the dead and the always-on channel with their hints, and not the one that works', async () => {
    const result = await api.call('inspect.channels', { runId, epoch: 1, sample: 48 })
    expect(result.split).toBe('test')
    expect(result.images).toBe(48)
    expect(result.layers.map((l) => l.name)).toEqual(['probe', 'pool'])
    for (const layer of result.layers) {
      expect(layer.flagged).toEqual([
        { channel: 1, deadFraction: 1, alwaysOnFraction: 0, status: 'dead', hint: 'candidate for pruning' },
        { channel: 2, deadFraction: 0, alwaysOnFraction: 1, status: 'always_on', hint: 'layer may want more width' }
      ])
      expect(layer.deadFraction[0]).toBe(0)
      expect(layer.alwaysOnFraction[0]).toBe(0)
    }
    expect(result.layers[0].activation).toBe('relu')
    // Stored in the workspace: the same request is answered from the cache.
    const cached = api.context.db.prepare(`SELECT count(*) AS n FROM analysis_cache WHERE kind = 'inspect.channels'`).get() as { n: number }
    expect(cached.n).toBe(1)
  })

  it('reports progress and stops when cancelled', async () => {
    const taskId = 'channels-cancel-test'
    const seen: TaskProgress[] = []
    const off = api.context.events.subscribe((name, payload) => {
      if (name !== 'task.progress' || (payload as TaskProgress).taskId !== taskId) return
      seen.push(payload as TaskProgress)
      void api.dispatch('task.cancel', { taskId })
    })
    await expect(api.dispatch('inspect.channels', { runId, epoch: 0, sample: 3000, taskId })).rejects.toThrow(/the channel scan was cancelled/)
    off()
    // Progress counts sampled images; the scan stopped before it had read them all.
    expect(seen[0]).toMatchObject({ runId, task: 'dead and always-on channels', total: 3000 })
    expect(seen[seen.length - 1].done).toBeLessThan(3000)
  })
})

describe('inspect.evolution', () => {
  it("finds each channel's strongest activation over the sample, with its map and receptive-field patch", async () => {
    const result = await api.call('inspect.evolution', { runId, layer: 'probe', epochs: [1, 0], sample: 40, maxChannels: 3 })
    expect(result.epochs.map((e) => e.epoch)).toEqual([0, 1])
    expect(result.mapShape).toEqual([26, 26, 3])
    expect(result.patchShape).toEqual([3, 3, 1])

    // The same sample, run directly through the model.
    const mnist = await openDataset('mnist')
    const sample = datasetSample(mnist, undefined, 40, 0, { height: 28, width: 28, channels: 1 })
    const read = await sample.read(sample.indices)
    const x = tf.tensor4d(read.x, [40, 28, 28, 1])
    const probe = tf.model({ inputs: model.inputs, outputs: model.getLayer('probe').output as tf.SymbolicTensor })
    const maps = (await (probe.predict(x) as tf.Tensor).data()) as Float32Array
    const best = (c: number) => {
      let value = -Infinity
      for (let i = 0; i < 40 * 676; i++) value = Math.max(value, maps[i * 3 + c])
      return value
    }
    const strongest = result.epochs[1].channels
    expect(strongest[0].value).toBeCloseTo(best(0), 5)
    expect(strongest[1].value).toBe(0)
    expect(strongest[2].value).toBeCloseTo(1, 6)

    // Channel 0's map is that image's map, and the patch is the 3×3 input window under the unit.
    const s = strongest[0]
    const slot = Array.from(read.indices).indexOf(s.index)
    expect(s.map[s.y * 26 + s.x]).toBeCloseTo(s.value, 5)
    for (let p = 0; p < 676; p++) expect(s.map[p]).toBeCloseTo(maps[(slot * 676 + p) * 3], 5)
    for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) expect(s.patch[dy * 3 + dx]).toBe(read.x[slot * 784 + (s.y + dy) * 28 + s.x + dx])
    // A constant channel ties everywhere; the first image and position win, whatever the batching.
    expect([strongest[2].index, strongest[2].y, strongest[2].x]).toEqual([sample.indices[0], 0, 0])
    tf.dispose(x)

    await expect(api.dispatch('inspect.evolution', { runId, layer: 'flatten', epochs: [0] })).rejects.toThrow(/layer: "flatten" is not a layer with feature maps; choose one of probe, pool/)
    await expect(api.dispatch('inspect.evolution', { runId, layer: 'probe', epochs: [5] })).rejects.toThrow(/epochs: epoch 5 is not stored/)
  })
})

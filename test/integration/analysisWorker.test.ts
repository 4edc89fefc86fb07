import * as tf from '@tensorflow/tfjs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openApi, type OpenApi } from '../../src-main/api/openApi'
import { runsOnMain } from '../../src-main/api/offload'
import { initBackend } from '../../src-main/engine/backend/select'
import { driftingWeights, storeRun } from '../support/storedRun'
import { tempDir } from '../support/workspace'

let api: OpenApi

beforeAll(async () => {
  await initBackend()
  api = openApi({ workspace: tempDir('fl-worker-'), shell: 'web', role: 'host' })
})
afterAll(() => api?.close())

describe("a host's analysis worker", () => {
  it('keeps runs, backend and app methods on the main thread and sends the rest to the worker', () => {
    expect(['runs.start', 'runs.delete', 'backend.select', 'app.info'].every(runsOnMain)).toBe(true)
    expect(['compare.ckaEpochs', 'inspect.featureMaps', 'datasets.open', 'task.cancel', 'explain.occlusion'].some(runsOnMain)).toBe(false)
  })

  it('serves analysis calls and relays their events to the main event bus', async () => {
    const events: string[] = []
    const unsubscribe = api.context.events.subscribe((name) => events.push(name))
    const out = join(tempDir('fl-worker-faces-'), 'faces')
    const result = await api.call('datasets.synthFaces', { out, count: 40, size: 32 })
    unsubscribe()
    expect(result.count).toBe(40)
    expect(events).toContain('datasets.progress')
    await expect(api.dispatch('inspect.overview', { runId: 'run-nope' })).rejects.toMatchObject({ code: 'not_found' })
  }, 120_000)

  it("prepares a stored epoch's pyramids in the worker, where the next view finds them", async () => {
    const big = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1100], units: 1000, name: 'wide' })] })
    const run = storeRun(api.context.db, big, 2, driftingWeights)
    const pyramids = () => (api.context.db.prepare(`SELECT count(*) AS n FROM analysis_cache WHERE kind = 'inspect.pyramid' AND run_id = ?`).get(run) as { n: number }).n
    api.context.events.emit('runs.epoch', { runId: run, metrics: { epoch: 1, trainLoss: null, trainAccuracy: null, valLoss: null, valAccuracy: null, testLoss: null, testAccuracy: null, imagesPerSecond: null, durationMs: null } })
    await expect.poll(pyramids, { timeout: 60_000 }).toBe(1)
  }, 90_000)
})

import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError } from '../../src-shared/errors'
import type { RunProgress, RunStatusEvent, RunSummary } from '../../src-shared/run'
import { TrainConfig } from '../../src-shared/run'
import { loadTensors } from '../../src-main/engine/store/epochStore'
import { modelFixtures } from '../support/modelFixtures'
import { nextEvent, openTestApi, tempDir } from '../support/workspace'

const api = openTestApi()
const dataset = tempDir('fl-finetune-data-')
let opened: RunSummary

beforeAll(async () => {
  // Two classes of 32×32 RGB images: warm squares and cool squares on noise-free grounds.
  for (const [cls, colour] of [['warm', { r: 230, g: 120, b: 40 }], ['cool', { r: 40, g: 110, b: 220 }]] as const) {
    mkdirSync(join(dataset, cls))
    for (let i = 0; i < 24; i++) {
      const ground = { r: 10 + i * 3, g: 10 + i * 2, b: 20 + i }
      const square = await sharp({ create: { width: 10 + (i % 8), height: 10 + (i % 8), channels: 3, background: colour } }).png().toBuffer()
      await sharp({ create: { width: 32, height: 32, channels: 3, background: ground } })
        .composite([{ input: square, left: i % 12, top: (i * 5) % 12 }])
        .png()
        .toFile(join(dataset, cls, `${i}.png`))
    }
  }
  opened = await api.call('models.open', { path: join(modelFixtures, 'smallcnn.onnx') })
}, 120_000)
afterAll(() => api.close())

const config = (model: object) => TrainConfig.parse({ dataset, model: { name: 'import', ...model }, epochs: 1, batchSize: 16, validationSplit: 0.25, seed: 5 })

async function trained(model: object): Promise<RunSummary> {
  const notes: string[] = []
  const unsubscribe = api.context.events.subscribe((name, payload) => {
    const p = payload as RunProgress
    if (name === 'runs.progress' && p.message) notes.push(p.message)
  })
  const run = await api.call('runs.start', { config: config(model) })
  const status = await nextEvent<RunStatusEvent>(api, 'runs.status', (s) => s.runId === run.id && !['queued', 'running'].includes(s.status))
  unsubscribe()
  expect(status.status, status.reason ?? '').toBe('completed')
  // Gradient workers (where the machine has cores for them) build the model from the stored run too.
  expect(notes.join('\n')).not.toMatch(/gradient workers did not start|training on one thread from here/)
  expect(notes.join('\n')).toMatch(/thread/)
  return await api.call('runs.get', { id: run.id })
}

describe('fine-tuning an opened model into a new run', () => {
  it('with a new head: the opened weights are the start, the model’s own layers and preprocessing are kept', async () => {
    const run = await trained({ fromRun: opened.id })
    const start = new Map(loadTensors(api.context.db, run.id, 0, 'weight').map((t) => [t.name, t]))
    const original = new Map(loadTensors(api.context.db, opened.id, 0, 'weight').map((t) => [t.name, t]))
    // Epoch 0 of the new run holds the opened model's weights (except its replaced classifier).
    expect(Array.from(start.get('conv1/kernel')?.data ?? [])).toEqual(Array.from(original.get('conv1/kernel')?.data ?? []))
    expect(Array.from(start.get('preprocess/kernel')?.data ?? [])).toEqual(Array.from(original.get('preprocess/kernel')?.data ?? []))
    expect(start.get('predictions/kernel')?.shape).toEqual([32, 2])
    // Training moved the base, not the fixed preprocessing.
    const after = new Map(loadTensors(api.context.db, run.id, 1, 'weight').map((t) => [t.name, t]))
    expect(Array.from(after.get('conv1/kernel')?.data ?? [])).not.toEqual(Array.from(original.get('conv1/kernel')?.data ?? []))
    expect(Array.from(after.get('preprocess/kernel')?.data ?? [])).toEqual(Array.from(original.get('preprocess/kernel')?.data ?? []))
    expect(run.lastMetrics?.trainLoss).toBeGreaterThan(0)
  }, 240_000)

  it('keeping its own head needs as many classes as the model has', async () => {
    const err = await api.dispatch('runs.start', { config: config({ fromRun: opened.id, keepHead: true }) }).then(
      () => null,
      (e: unknown) => e
    )
    // The check happens when the job builds the model; a 10-class head cannot learn 2 classes.
    if (err instanceof ApiError) expect(err.message).toMatch(/keepHead/)
    else {
      const run = (await api.call('runs.list', {}))[0]
      const status = await nextEvent<RunStatusEvent>(api, 'runs.status', (s) => s.runId === run.id && !['queued', 'running'].includes(s.status))
      expect(status.status).toBe('failed')
      expect(status.reason).toMatch(/keepHead: run .* has 10 outputs but the dataset needs 2/)
    }
  }, 120_000)

  it('refuses a run that does not exist', async () => {
    const err = await api.dispatch('runs.start', { config: config({ fromRun: 'run-nope' }) }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).message).toMatch(/no run with id "run-nope"/)
  })
})

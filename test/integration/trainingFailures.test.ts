import Database from 'better-sqlite3'
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ApiError } from '../../src-shared/errors'
import { TrainConfig, type RunStatusEvent, type RunSummary, type TrainConfigInput } from '../../src-shared/run'
import { lastCompleteEpoch, loadTensors } from '../../src-main/engine/store/epochStore'
import { nextEvent, openTestApi, tempDir } from '../support/workspace'

const api = openTestApi()
afterAll(() => api.close())

const base: TrainConfigInput = { dataset: 'mnist', model: { name: 'minimal' }, epochs: 1, limit: 200 }

async function refusal(config: unknown, method: 'runs.start' | 'runs.startPair' = 'runs.start', extra: object = {}): Promise<ApiError> {
  try {
    await api.dispatch(method, { config, ...extra })
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError)
    return err as ApiError
  }
  throw new Error('the request was accepted')
}

describe('a run that cannot start is refused before any process starts, with the field named', () => {
  it('refuses a missing dataset folder', async () => {
    const err = await refusal({ ...base, dataset: '/no/such/dataset' })
    expect(err.message).toContain('/no/such/dataset')
    expect(err.message).toMatch(/does not exist/)
  })

  it('refuses a model that does not fit the images', async () => {
    const err = await refusal({ ...base, model: { name: 'vgg16' } })
    expect(err.message).toMatch(/inputSize/)
    expect(err.message).toMatch(/32/)
  })

  it('refuses an attribute label on a dataset without attributes', async () => {
    const err = await refusal({ ...base, label: { kind: 'attribute', attribute: 'Smiling' } })
    expect(err.message).toMatch(/Smiling/)
  })

  it('refuses out-of-range options with the field name', async () => {
    const err = await refusal({ ...base, fractionPerClass: 0 })
    expect(err.code).toBe('invalid_request')
    expect(err.message).toMatch(/fractionPerClass/)
    const lr = await refusal({ ...base, learningRate: -1 })
    expect(lr.message).toMatch(/learningRate/)
  })

  it('refuses a pair with the same label twice', async () => {
    const err = await refusal(base, 'runs.startPair', { attributes: ['Smiling', 'Smiling'] })
    expect(err.message).toMatch(/two different labels/)
  })

  it('leaves no run behind for a refused request', async () => {
    expect(await api.call('runs.list', {})).toEqual([])
  })
})

const isRoot = process.getuid?.() === 0

describe('a full disk', () => {
  // A real full file system needs a small tmpfs, which only root can mount.
  it.skipIf(!isRoot)('stops the run with a clear error and keeps the earlier epochs intact', async () => {
    const dir = join(tempDir('fl-full-'), 'mnt')
    mkdirSync(dir)
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', dir])
    const full = openTestApi(dir)
    try {
      const config = TrainConfig.parse({ dataset: 'mnist', model: { name: 'fcnn3' }, epochs: 10, limit: 1000, batchSize: 64 })
      const failed = nextEvent<RunStatusEvent>(full, 'runs.status', (s) => s.status === 'failed' || s.status === 'completed', 300_000)
      const run = (await full.dispatch('runs.start', { config })) as RunSummary
      const status = await failed.catch((err: Error) => ({ status: 'failed', reason: err.message, runId: run.id }))
      expect(status.status).toBe('failed')
      expect(status.reason).toMatch(/disk .* is full/)
      await full.context.jobs.whenIdle()
      const db = new Database(full.context.workspace.database, { readonly: true })
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
        const last = lastCompleteEpoch(db, run.id)
        expect(last).not.toBeNull()
        expect(last!).toBeLessThan(10)
        for (let e = 0; e <= last!; e++) expect(loadTensors(db, run.id, e, 'weight').length).toBeGreaterThan(0)
        const partial = db.prepare(`SELECT count(*) AS n FROM epoch_tensors WHERE run_id = ? AND epoch > ?`).get(run.id, last) as { n: number }
        expect(partial.n).toBe(0)
      } finally {
        db.close()
      }
    } finally {
      full.close()
      execFileSync('umount', ['-l', dir])
    }
  }, 400_000)
})

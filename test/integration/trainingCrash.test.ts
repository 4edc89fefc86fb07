import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import type { RunProgress, RunStatusEvent, RunSummary, TrainConfigInput } from '../../src-shared/run'
import { TrainConfig } from '../../src-shared/run'
import { lastCompleteEpoch, listTensors, loadTensors } from '../../src-main/engine/store/epochStore'
import { nextEvent, openTestApi } from '../support/workspace'

const api = openTestApi()
afterAll(() => api.close())

const config = (overrides: Partial<TrainConfigInput> = {}) =>
  TrainConfig.parse({ dataset: 'mnist', model: { name: 'minimal' }, epochs: 4, batchSize: 32, limit: 1500, validationSplit: 0.1, seed: 7, ...overrides })

describe('a training process killed mid-epoch', () => {
  it('keeps every completed epoch intact, shows no partial epoch, and resumes to the end', async () => {
    const run = await api.call('runs.start', { config: config() })
    // Wait until epoch 1 is on disk and epoch 2 is well under way, then kill -9 the job.
    await nextEvent<RunProgress>(api, 'runs.progress', (p) => p.runId === run.id && p.phase === 'training' && p.epoch === 2 && p.batch >= 5)
    const pid = api.context.jobs.activePid()
    expect(pid).toBeGreaterThan(0)
    const interrupted = nextEvent<RunStatusEvent>(api, 'runs.status', (s) => s.runId === run.id && s.status === 'interrupted')
    process.kill(pid!, 'SIGKILL')
    const status = await interrupted
    expect(status.reason).toMatch(/SIGKILL/)
    await api.context.jobs.whenIdle()

    // A fresh connection, as after a restart, sees a consistent file.
    const fresh = new Database(api.context.workspace.database, { readonly: true })
    try {
      expect(fresh.pragma('integrity_check', { simple: true })).toBe('ok')
      const last = lastCompleteEpoch(fresh, run.id)
      expect(last).toBeGreaterThanOrEqual(1)
      expect(last).toBeLessThan(4)
      for (let epoch = 0; epoch <= last!; epoch++) {
        const weights = loadTensors(fresh, run.id, epoch, 'weight') // verifies every chunk's sha256
        expect(weights.length).toBe(listTensors(fresh, run.id, epoch, 'weight').length)
        expect(weights.every((w) => w.data.every(Number.isFinite))).toBe(true)
      }
      // Nothing of the epoch in flight is visible: no row, no tensor, no chunk.
      for (const table of ['epochs', 'epoch_tensors', 'tensor_chunks']) {
        const row = fresh.prepare(`SELECT count(*) AS n FROM ${table} WHERE run_id = ? AND epoch > ?`).get(run.id, last) as { n: number }
        expect(row.n, table).toBe(0)
      }
      expect((fresh.prepare(`SELECT count(*) AS n FROM epochs WHERE run_id = ? AND complete = 0`).get(run.id) as { n: number }).n).toBe(0)
    } finally {
      fresh.close()
    }

    const resumed = nextEvent<RunStatusEvent>(api, 'runs.status', (s) => s.runId === run.id && ['completed', 'failed'].includes(s.status))
    await api.dispatch('runs.resume', { id: run.id })
    expect((await resumed).status).toBe('completed')
    await api.context.jobs.whenIdle()
    const detail = await api.call('runs.get', { id: run.id })
    expect(detail.status).toBe('completed')
    expect(detail.epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3, 4])
  }, 600_000)

  it('cancels cleanly between batches, keeping the completed epochs', async () => {
    const run = await api.call('runs.start', { config: config({ epochs: 3, seed: 9 }) })
    await nextEvent<RunProgress>(api, 'runs.progress', (p) => p.runId === run.id && p.phase === 'training' && p.epoch === 2 && p.batch >= 3)
    const cancelled = nextEvent<RunStatusEvent>(api, 'runs.status', (s) => s.runId === run.id && s.status === 'cancelled')
    await api.dispatch('runs.cancel', { id: run.id })
    expect((await cancelled).reason).toMatch(/completed epochs are kept/)
    await api.context.jobs.whenIdle()
    const detail = await api.call('runs.get', { id: run.id })
    expect(detail.status).toBe('cancelled')
    expect(detail.epochs.map((e) => e.epoch)).toEqual([0, 1])
    await expect(api.dispatch('runs.delete', { id: run.id })).resolves.toEqual({ deleted: run.id })
    await expect(api.dispatch('runs.get', { id: run.id })).rejects.toThrow(/no run with id/)
  }, 300_000)

  it('marks a run whose process is gone as interrupted when the workspace is opened', async () => {
    api.context.db.prepare(`INSERT INTO runs (id, name, status, config, pid, created_at, updated_at) VALUES ('run-ghost', 'ghost', 'running', ?, 999999, 'x', 'x')`).run(JSON.stringify(config()))
    const again = openTestApi(api.context.workspace.dir)
    try {
      const ghost = (await again.dispatch('runs.get', { id: 'run-ghost' })) as RunSummary
      expect(ghost.status).toBe('interrupted')
      expect(ghost.statusReason).toMatch(/no longer running/)
    } finally {
      again.close()
    }
  })
})

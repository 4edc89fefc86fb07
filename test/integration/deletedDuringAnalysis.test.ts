import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunSummary } from '../../src-shared/run'
import type { TaskProgress } from '../../src-shared/api/tasks'
import type { OpenApi } from '../../src-main/api/openApi'
import { initBackend } from '../../src-main/engine/backend/select'
import { trainEarlyExitRun } from '../support/earlyExitRun'

let api: OpenApi
let run: RunSummary

beforeAll(async () => {
  await initBackend()
  ;({ api, run } = await trainEarlyExitRun({ limit: 200 }))
}, 300_000)
afterAll(() => api?.close())

describe('a run deleted while an analysis of it runs', () => {
  it('stops the descriptor extraction and says the run was deleted, not a foreign-key error', async () => {
    const progress: TaskProgress[] = []
    let deleted = false
    let afterEnd = 0
    let ended = false
    const off = api.context.events.subscribe((name, payload) => {
      if (name !== 'task.progress') return
      const p = payload as TaskProgress
      if (p.taskId !== 'extract-deleted') return
      progress.push(p)
      if (ended) afterEnd++
      // After the first stored batch: delete the run under the extraction.
      if (!deleted && p.done > 0) {
        deleted = true
        void api.dispatch('runs.delete', { id: run.id })
      }
    })
    const extraction = api.dispatch('earlyExit.descriptors', { runId: run.id, taskId: 'extract-deleted', batchSize: 8 })
    await expect(extraction).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(new RegExp(`run ${run.id} was deleted while its descriptor extraction ran; the descriptor extraction stopped`)) })
    ended = true
    expect(deleted).toBe(true)
    expect(progress.at(-1)?.done ?? 0).toBeLessThan(progress.at(-1)?.total ?? 0)
    await new Promise((r) => setTimeout(r, 500))
    expect(afterEnd).toBe(0)
    off()
    const left = api.context.db.prepare('SELECT count(*) AS n FROM descriptors WHERE run_id = ?').get(run.id) as { n: number }
    expect(left.n).toBe(0)
  }, 120_000)
})

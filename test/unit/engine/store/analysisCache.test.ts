import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { TrainConfig } from '../../../../src-shared/run'
import { openWorkspaceDb } from '../../../../src-main/engine/store/database'
import { cachedAnalysis, withAnalysisCache } from '../../../../src-main/engine/store/analysisCache'
import { createRun, deleteRun } from '../../../../src-main/engine/store/runStore'
import { tempDir } from '../../../support/workspace'

describe('analysis cache', () => {
  it('stores typed arrays, computes once, and is dropped with its run', async () => {
    const db = openWorkspaceDb(join(tempDir('fl-ac-'), 'featurelens.sqlite'))
    const runId = createRun(db, TrainConfig.parse({ dataset: 'mnist', model: { name: 'minimal' } }))
    let computed = 0
    const compute = async () => {
      computed++
      return { layers: ['a', 'b'], values: new Float64Array([1, 0.5, 0.5, 1]) }
    }
    const first = await withAnalysisCache(db, `cka:${runId}`, 'cka', [runId, null], compute)
    const second = await withAnalysisCache(db, `cka:${runId}`, 'cka', [runId, null], compute)
    expect(computed).toBe(1)
    expect(second.values).toBeInstanceOf(Float64Array)
    expect(Array.from(second.values)).toEqual(Array.from(first.values))
    db.prepare(`UPDATE runs SET status = 'completed' WHERE id = ?`).run(runId)
    deleteRun(db, runId)
    expect(cachedAnalysis(db, `cka:${runId}`)).toBeNull()
    db.close()
  })
})

import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { TrainConfig } from '../../../../src-shared/run'
import { openWorkspaceDb } from '../../../../src-main/engine/store/database'
import { cachedAnalysis, dropRunAnalyses, latestAnalysis, storeAnalysis, withAnalysisCache } from '../../../../src-main/engine/store/analysisCache'
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

  it('gives a run\'s newest value of a kind, and forgets every analysis of a run on both sides of a comparison', async () => {
    const db = openWorkspaceDb(join(tempDir('fl-ac-'), 'featurelens.sqlite'))
    const config = TrainConfig.parse({ dataset: 'mnist', model: { name: 'minimal' } })
    const [a, b] = [createRun(db, config), createRun(db, config)]
    expect(latestAnalysis(db, a, 'earlyexit')).toBeNull()
    storeAnalysis(db, 'earlyexit:1', 'earlyexit', { n: 1 }, a)
    await new Promise((resolve) => setTimeout(resolve, 5))
    storeAnalysis(db, 'earlyexit:2', 'earlyexit', { n: 2 }, a)
    storeAnalysis(db, 'other', 'inspect.channels', { n: 3 }, a)
    storeAnalysis(db, 'earlyexit:b', 'earlyexit', { n: 4 }, b)
    expect(latestAnalysis(db, a, 'earlyexit')).toEqual({ n: 2 })
    storeAnalysis(db, 'pair', 'compare.cka', { n: 5 }, b, a)
    dropRunAnalyses(db, a)
    expect(['earlyexit:1', 'earlyexit:2', 'other', 'pair'].map((key) => cachedAnalysis(db, key))).toEqual([null, null, null, null])
    expect(latestAnalysis(db, b, 'earlyexit')).toEqual({ n: 4 })
    db.close()
  })
})

import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { TrainConfig } from '../../../../src-shared/run'
import { overlaidWeightHistograms } from '../../../../src-main/engine/analysis/weights/weightHistograms'
import { openWorkspaceDb, type WorkspaceDb } from '../../../../src-main/engine/store/database'
import { commitEpoch } from '../../../../src-main/engine/store/epochStore'
import { createRun } from '../../../../src-main/engine/store/runStore'
import { tempDir } from '../../../support/workspace'

const metrics = (epoch: number) => ({ epoch, trainLoss: null, trainAccuracy: null, valLoss: null, valAccuracy: null, testLoss: null, testAccuracy: null, imagesPerSecond: null, durationMs: null })

/** A run whose one weight "w" holds `values(epoch)` at each epoch. */
function runWith(db: WorkspaceDb, shape: number[], values: (epoch: number) => number[], epochs: number): string {
  const id = createRun(db, TrainConfig.parse({ dataset: 'mnist', model: { name: 'fcnn3' } }))
  for (let e = 0; e < epochs; e++) {
    commitEpoch(db, id, { metrics: metrics(e), batchLosses: null, weights: [{ name: 'w', shape, dtype: 'float32', data: Float32Array.from(values(e)) }], optimizer: [] })
  }
  return id
}

describe('overlaid weight histograms of two runs', () => {
  const db = openWorkspaceDb(join(tempDir('fl-hist-'), 'featurelens.sqlite'))

  it('bins both runs and every epoch on one set of edges', () => {
    const a = runWith(db, [2, 2], (e) => [0, 1, 2, 3].map((v) => v + e), 3)
    const b = runWith(db, [2, 2], (e) => [-1, -1, 0, 1].map((v) => v * (e + 1)), 3)
    const h = overlaidWeightHistograms(db, [a, b], 'w', [0, 1, 2], 10)
    expect(h.shape).toEqual([2, 2])
    expect(h.edges[0]).toBe(-3)
    expect(h.edges[10]).toBe(5)
    expect(h.countsA.length).toBe(30)
    for (let e = 0; e < 3; e++) {
      expect(h.countsA.subarray(e * 10, e * 10 + 10).reduce((s, v) => s + v, 0)).toBe(4)
      expect(h.countsB.subarray(e * 10, e * 10 + 10).reduce((s, v) => s + v, 0)).toBe(4)
    }
    // Epoch 2 of B: −3, −3, 0, 3 → two in the first bin (edges step 0.8 from −3).
    expect(h.countsB[20]).toBe(2)
  })

  it('names the weight and the fix when it is missing or shaped differently', () => {
    const a = runWith(db, [4], () => [1, 2, 3, 4], 1)
    const b = runWith(db, [2, 2], () => [1, 2, 3, 4], 1)
    expect(() => overlaidWeightHistograms(db, [a, b], 'nope', [0], 8)).toThrow(/has no weight "nope"; it has w/)
    expect(() => overlaidWeightHistograms(db, [a, b], 'w', [0], 8)).toThrow(/shape \[4\] in run A but \[2, 2\] in run B; choose a weight both share/)
    expect(() => overlaidWeightHistograms(db, [a, b], 'w', [], 8)).toThrow(/no epoch in common/)
  })
})

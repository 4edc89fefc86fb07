import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AttentionResult } from '../../src-shared/compare'
import { trainFacePair, type FacePair } from '../support/facePair'

let pair: FacePair

// "Where each model looks" only means something once the models have learned their labels.
// A narrow VGG-11 does not learn Smiling within a few minutes on two cores (it needs ~400
// steps on 2000 faces), so this pair is the small CNN, which learns both labels in 8 epochs.
beforeAll(async () => {
  pair = await trainFacePair({ count: 800, size: 48, epochs: 8, model: 'minimal', lr: 1e-3 })
}, 900_000)
afterAll(() => pair?.api.close())

describe('where each model of a Smiling/Male pair looks', () => {
  it('puts more of the Smiling model’s feature-map energy on the mouth than the Male model’s', async () => {
    for (const run of [pair.a, pair.b]) expect(run.lastMetrics?.testAccuracy ?? 0).toBeGreaterThan(0.75)
    const r = (await pair.api.dispatch('compare.attention', { a: pair.a.id, b: pair.b.id, examples: { split: 'train', count: 200 } })) as AttentionResult
    const region = Object.fromEntries(r.regions.map((g) => [g.attribute, g]))
    const pct = (v: number) => `${(v * 100).toFixed(2)}%`
    console.log(
      `energy shares at ${r.layer} (${r.mapHeight}×${r.mapWidth}), ${r.examples} ${r.split} faces, test accuracy A ${pair.a.lastMetrics?.testAccuracy?.toFixed(3)} B ${pair.b.lastMetrics?.testAccuracy?.toFixed(3)}: ` +
        r.regions.map((g) => `${g.attribute} area ${pct(g.area)} Smiling-model ${pct(g.shareA)} Male-model ${pct(g.shareB)}`).join('; ')
    )
    expect(r.layer).toBe('conv2')
    expect([r.height, r.width]).toEqual([48, 48])
    expect(r.energyA.length).toBe(48 * 48)
    expect(r.energyA.reduce((s, v) => s + v, 0) / r.energyA.length).toBeCloseTo(1, 4)
    for (const g of r.regions) {
      expect(g.area).toBeGreaterThan(0)
      expect(g.area).toBeLessThan(0.5)
      for (const share of [g.shareA, g.shareB]) expect(share).toBeGreaterThanOrEqual(0)
    }
    expect(region.Smiling.shareA).toBeGreaterThan(region.Smiling.shareB)
    const cached = (await pair.api.dispatch('compare.attention', { a: pair.a.id, b: pair.b.id, examples: { split: 'train', count: 200 } })) as AttentionResult
    expect(cached.cached).toBe(true)
  }, 300_000)
})

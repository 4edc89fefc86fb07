import { describe, expect, it } from 'vitest'
import { resamples } from '../../../../src-main/engine/analysis/core/bootstrap'
import { takeRows } from '../../../../src-main/engine/analysis/core/matrix'
import { linearCka, linearCkaMinibatch, prepareGram } from '../../../../src-main/engine/analysis/cka/cka'
import { affordableReplicates, gramCkaIntervals, linearCkaInterval } from '../../../../src-main/engine/analysis/cka/ckaIntervals'
import { randomMatrix, relatedMatrix } from './randomMatrices'

describe('CKA intervals from resampling the examples', () => {
  it('a resample from the stored Grams gives the CKA of the resampled rows, duplicates included', async () => {
    const x = randomMatrix(30, 5, 1)
    const y = relatedMatrix(x, 4, 0.5, 2)
    const idx = resamples(30, 1, 0)[0]
    // One resample: the interval's ends are that resample's value.
    const { low, high } = await gramCkaIntervals([prepareGram(x)], [prepareGram(y)], { replicates: 1, seed: 0 })
    const direct = linearCka(takeRows(x, idx), takeRows(y, idx))
    expect(low[0]).toBeCloseTo(direct, 10)
    expect(high[0]).toBeCloseTo(direct, 10)
  })

  it('holds the value, is narrower with more examples, and is row-major over A’s layers against B’s', async () => {
    const interval = async (n: number) => {
      const x = randomMatrix(n, 6, 3)
      const y = relatedMatrix(x, 6, 1, 4)
      const z = randomMatrix(n, 3, 5)
      const r = await gramCkaIntervals([prepareGram(x)], [prepareGram(y), prepareGram(z)], { replicates: 200 })
      return { value: linearCka(x, y), unrelated: linearCka(x, z), low: r.low, high: r.high }
    }
    const small = await interval(40)
    const large = await interval(160)
    for (const r of [small, large]) {
      expect(r.low[0]).toBeLessThanOrEqual(r.value)
      expect(r.high[0]).toBeGreaterThanOrEqual(r.value)
      // Column 1 is the unrelated matrix: its interval lies around its own, lower value.
      expect(r.high[1]).toBeLessThan(r.low[0])
    }
    expect(large.high[0] - large.low[0]).toBeLessThan(small.high[0] - small.low[0])
  })

  it('keeps the resamples to what a few seconds afford, and none past that', () => {
    expect(affordableReplicates(256, 15, 15)).toBe(200)
    expect(affordableReplicates(512, 15, 15)).toBe(56)
    expect(affordableReplicates(1024, 15, 15)).toBe(0)
    expect(affordableReplicates(2000, 1, 1)).toBe(200)
  })

  it('gives the exact and the minibatch estimates an interval', async () => {
    const x = randomMatrix(120, 4, 7)
    const y = relatedMatrix(x, 4, 0.8, 8)
    const exact = await linearCkaInterval(x, y)
    if ('note' in exact) throw new Error(exact.note)
    expect(exact.low).toBeLessThanOrEqual(linearCka(x, y))
    expect(exact.high).toBeGreaterThanOrEqual(linearCka(x, y))
    const mini = linearCkaMinibatch(x, y, { batchSize: 20 })
    expect(mini.batches).toBe(6)
    expect(mini.interval!.low).toBeLessThanOrEqual(mini.interval!.high)
    expect(mini.interval!.low).toBeLessThan(mini.cka + 0.2)
    expect(linearCkaMinibatch(x, y, { batchSize: 120 }).interval).toBeNull()
  })
})

import { describe, expect, it } from 'vitest'
import { createRandom } from '../../../../src-main/engine/data/random'
import { batchesOf, epochOrder, halfOfEachClass, selectPerClass, shuffledIndices, validationSplit } from '../../../../src-main/engine/data/splits'

/** 3 classes of 11, 20 and 7 examples, interleaved. */
function labels(): Int32Array {
  const out: number[] = []
  for (let i = 0; i < 20; i++) {
    if (i < 11) out.push(0)
    out.push(1)
    if (i < 7) out.push(2)
  }
  return Int32Array.from(out)
}

function countBy(labelsOf: Int32Array, indices: ArrayLike<number>): Record<number, number> {
  const out: Record<number, number> = {}
  for (const i of Array.from(indices)) out[labelsOf[i]] = (out[labelsOf[i]] ?? 0) + 1
  return out
}

describe('seeded random numbers', () => {
  it('give the same stream for the same seed and different streams for different seeds', () => {
    const a = Array.from({ length: 5 }, createRandom(42))
    const b = Array.from({ length: 5 }, createRandom(42))
    const c = Array.from({ length: 5 }, createRandom(43))
    expect(a).toEqual(b)
    expect(a).not.toEqual(c)
    for (const v of a) expect(v >= 0 && v < 1).toBe(true)
  })

  it('are roughly uniform', () => {
    const r = createRandom(7)
    const bins = new Array(10).fill(0)
    for (let i = 0; i < 20000; i++) bins[Math.floor(r() * 10)]++
    for (const b of bins) expect(Math.abs(b - 2000)).toBeLessThan(200)
  })
})

describe('split helpers', () => {
  it('shuffledIndices is a permutation, fixed by the seed', () => {
    const a = shuffledIndices(100, 1)
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i))
    expect(shuffledIndices(100, 1)).toEqual(a)
    expect(shuffledIndices(100, 2)).not.toEqual(a)
  })

  it('halfOfEachClass takes floor(n/2) of every class, disjoint from the rest', () => {
    const y = labels()
    const { selected, rest } = halfOfEachClass(y, 0)
    expect(countBy(y, selected)).toEqual({ 0: 5, 1: 10, 2: 3 })
    expect(countBy(y, rest)).toEqual({ 0: 6, 1: 10, 2: 4 })
    const all = [...selected, ...rest].sort((a, b) => a - b)
    expect(all).toEqual(Array.from({ length: y.length }, (_, i) => i))
    expect([...selected]).toEqual([...selected].sort((a, b) => a - b))
    expect(halfOfEachClass(y, 0).selected).toEqual(selected)
    expect(halfOfEachClass(y, 1).selected).not.toEqual(selected)
  })

  it('selectPerClass applies a limit per class and works within a subset', () => {
    const y = labels()
    expect(countBy(y, selectPerClass(y, { limit: 4, seed: 3 }).selected)).toEqual({ 0: 4, 1: 4, 2: 4 })
    const among = Int32Array.from({ length: 20 }, (_, i) => i)
    const { selected, rest } = selectPerClass(y, { fraction: 0.5, seed: 3, among })
    expect(selected.length + rest.length).toBe(20)
    for (const i of [...selected, ...rest]) expect(i).toBeLessThan(20)
    expect(() => selectPerClass(y, { fraction: 1.5, seed: 0 })).toThrow(/fraction/)
  })

  it('validationSplit is stratified and seeded', () => {
    const y = labels()
    const all = Int32Array.from({ length: y.length }, (_, i) => i)
    const { train, val } = validationSplit(y, all, 0.3, 5)
    expect(countBy(y, val)).toEqual({ 0: 3, 1: 6, 2: 2 })
    expect(train.length + val.length).toBe(y.length)
    expect(new Set([...train, ...val]).size).toBe(y.length)
    expect(validationSplit(y, all, 0.3, 5).val).toEqual(val)
  })

  it('epochOrder is deterministic per seed and epoch and differs between epochs', () => {
    const idx = Int32Array.from({ length: 50 }, (_, i) => i * 2)
    const e0 = epochOrder(idx, 9, 0)
    expect(epochOrder(idx, 9, 0)).toEqual(e0)
    expect(epochOrder(idx, 9, 1)).not.toEqual(e0)
    expect([...e0].sort((a, b) => a - b)).toEqual([...idx])
  })

  it('batchesOf cuts consecutive views with a short last batch', () => {
    const order = Int32Array.from({ length: 10 }, (_, i) => i)
    const batches = batchesOf(order, 4)
    expect(batches.map((b) => [...b])).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
    expect(() => batchesOf(order, 0)).toThrow(/batch size/)
  })
})

import { describe, expect, it } from 'vitest'
import { DescriptorTable, batchDescriptors, channelDescriptor, cosineDistance, earlyExitDecision } from '../../../../src-main/engine/analysis/core/descriptors'

describe('channel descriptors', () => {
  // A 2×2 map with 2 channels, channels last: position p holds [ch0, ch1].
  // ch0 = [1, −3, 2, 0] → |F| = [1, 3, 2, 0], μ = 1.5, σ = √((0.25 + 2.25 + 0.25 + 2.25)/4) = √1.25
  // ch1 = [−2, −2, −2, −2] → μ = 2, σ = 0
  const map = Float32Array.from([1, -2, -3, -2, 2, -2, 0, -2])

  it('computes (μ_i, σ_i) of |F_i| as in the seed, by hand', () => {
    const v = channelDescriptor(map, [2, 2, 2])
    expect(v.length).toBe(4)
    expect(v[0]).toBeCloseTo(1.5, 6)
    expect(v[1]).toBeCloseTo(Math.sqrt(1.25), 6)
    expect(v[2]).toBeCloseTo(2, 6)
    expect(v[3]).toBe(0)
  })

  it('gives each image of a batch its own row', () => {
    const other = Float32Array.from([0, 1, 0, 1, 0, 1, 4, 1])
    const batch = new Float32Array(16)
    batch.set(map, 0)
    batch.set(other, 8)
    const rows = batchDescriptors(batch, [2, 2, 2, 2])
    expect(Array.from(rows.subarray(0, 4))).toEqual(Array.from(channelDescriptor(map, [2, 2, 2])))
    expect(Array.from(rows.subarray(4, 8))).toEqual(Array.from(channelDescriptor(other, [2, 2, 2])))
    expect(rows[4]).toBe(1) // mean |ch0| of the second image
    expect(rows[5]).toBeCloseTo(Math.sqrt(3), 6) // |ch0| = [0,0,0,4]: σ = √((1+1+1+9)/4)
  })

  it('rejects shapes that do not match the data', () => {
    expect(() => channelDescriptor(map, [2, 2, 3])).toThrowError(/8 values but shape \[2, 2, 3\] needs 12/)
    expect(() => channelDescriptor(map, [4, 2])).toThrowError(/\[H, W, C\]/)
    expect(() => batchDescriptors(map, [2, 2, 2])).toThrowError(/\[N, H, W, C\]/)
  })
})

describe('cosine distance', () => {
  it('matches hand values', () => {
    expect(cosineDistance(Float32Array.from([1, 0]), Float32Array.from([0, 1]))).toBeCloseTo(1, 12)
    expect(cosineDistance(Float32Array.from([1, 2]), Float32Array.from([2, 4]))).toBeCloseTo(0, 12)
    expect(cosineDistance(Float32Array.from([1, 0]), Float32Array.from([-1, 0]))).toBeCloseTo(2, 12)
    // (1,1)·(1,0) = 1, |U||T| = √2 → 1 − 1/√2
    expect(cosineDistance(Float32Array.from([1, 1]), Float32Array.from([1, 0]))).toBeCloseTo(1 - Math.SQRT1_2, 12)
  })

  it('treats a silent (zero) descriptor as unmatched and rejects length mismatches', () => {
    expect(cosineDistance(new Float32Array(3), Float32Array.from([1, 2, 3]))).toBe(1)
    expect(() => cosineDistance(new Float32Array(2), new Float32Array(3))).toThrowError(/different lengths/)
  })
})

describe('class table and early exit', () => {
  it('keeps a running-mean centroid, count and mean distance per class and layer, by hand', () => {
    const t = new DescriptorTable()
    // Class 0 at conv1: (1,0), then (0,1), then (1,1).
    let row = t.add('conv1', 0, Float32Array.from([1, 0]))
    expect(row.count).toBe(1)
    expect(Array.from(row.centroid)).toEqual([1, 0])
    expect(row.meanDistance).toBe(0)
    // D((0,1), centroid (1,0)) = 1 → mean distance 1; centroid (0.5, 0.5)
    row = t.add('conv1', 0, Float32Array.from([0, 1]))
    expect(row.meanDistance).toBeCloseTo(1, 12)
    expect(Array.from(row.centroid)).toEqual([0.5, 0.5])
    // D((1,1), (0.5,0.5)) = 0 → mean distance (1 + 0)/2; centroid (2/3, 2/3)
    row = t.add('conv1', 0, Float32Array.from([1, 1]))
    expect(row.count).toBe(3)
    expect(row.meanDistance).toBeCloseTo(0.5, 12)
    expect(row.centroid[0]).toBeCloseTo(2 / 3, 12)
    expect(row.centroid[1]).toBeCloseTo(2 / 3, 12)

    t.add('conv1', 1, Float32Array.from([-1, 0]))
    t.add('conv2', 0, Float32Array.from([1, 2, 3]))
    expect(t.layers()).toEqual(['conv1', 'conv2'])
    expect(t.rows('conv1').map((r) => [r.label, r.count])).toEqual([[0, 3], [1, 1]])
    expect(() => t.add('conv1', 1, Float32Array.from([1, 2, 3]))).toThrowError(/descriptor length 3 differs from earlier ones \(2\)/)
  })

  it('exits at the nearest class when within its threshold × factor, by hand', () => {
    const t = new DescriptorTable()
    for (const v of [[1, 0], [0, 1], [1, 1]]) t.add('conv1', 0, Float32Array.from(v)) // threshold 0.5, centroid ∝ (1,1)
    for (const v of [[-1, 0], [-1, 0.2]]) t.add('conv1', 7, Float32Array.from(v)) // centroid (−1, 0)

    // (1, 0.2): distance to (1,1) direction = 1 − 1.2/(√1.04·√2) ≈ 0.1679 ≤ 0.5 → exit with class 0.
    const q = Float32Array.from([1, 0.2])
    const expected = 1 - 1.2 / (Math.sqrt(1.04) * Math.SQRT2)
    const d = t.decide('conv1', q)
    expect(d.label).toBe(0)
    expect(d.distance).toBeCloseTo(expected, 6)
    expect(d.threshold).toBeCloseTo(0.5, 12)
    expect(d.exit).toBe(true)
    // A stricter factor refuses the exit: 0.5 × 0.3 = 0.15 < 0.1679.
    const strict = t.decide('conv1', q, 0.3)
    expect(strict).toMatchObject({ exit: false, label: 0 })
    expect(strict.threshold).toBeCloseTo(0.15, 12)

    // Class 7's threshold: D((−1, 0.2), (−1, 0)) = 1 − 1/√1.04.
    const seven = t.rows('conv1').find((r) => r.label === 7)!
    expect(seven.meanDistance).toBeCloseTo(1 - 1 / Math.sqrt(1.04), 7) // 0.2 is stored as float32
    expect(t.decide('conv1', Float32Array.from([-1, 0.01]))).toMatchObject({ exit: true, label: 7 })
  })

  it('never exits on a class seen once, or on a layer with no classes', () => {
    const t = new DescriptorTable()
    t.add('conv1', 3, Float32Array.from([1, 0]))
    expect(t.decide('conv1', Float32Array.from([1, 0]))).toEqual({ exit: false, label: 3, distance: 0, threshold: null })
    expect(t.decide('conv9', Float32Array.from([1, 0]))).toEqual({ exit: false, label: null, distance: null, threshold: null })
    expect(() => earlyExitDecision(t.rows(), Float32Array.from([1, 0]), -1)).toThrowError(/factor/)
  })

  it('round-trips through stored rows', () => {
    const t = new DescriptorTable()
    for (const [label, v] of [[0, [1, 2]], [0, [2, 1]], [1, [0, 5]], [1, [1, 4]]] as const) t.add('conv1', label, Float32Array.from(v))
    const back = DescriptorTable.fromRows(JSON.parse(JSON.stringify(t.rows(), (_, v) => (v instanceof Float64Array ? Array.from(v) : v))))
    const q = Float32Array.from([0.5, 4])
    expect(back.decide('conv1', q)).toEqual(t.decide('conv1', q))
    expect(back.rows()).toEqual(t.rows())
  })
})

import { describe, expect, it } from 'vitest'
import { amountsBetween, transformImage } from '../../../../src-main/engine/analysis/explain/invariance'
import { areaShare, positiveShare, spread } from '../../../../src-main/engine/analysis/explain/pointing'

const shape = { height: 5, width: 5, channels: 1 }
/** A 5×5 image whose pixel (y, x) is 10·y + x. */
const ramp = Float32Array.from({ length: 25 }, (_, i) => 10 * Math.floor(i / 5) + (i % 5))

describe('invariance transforms', () => {
  it('translates down by whole pixels, repeating the top row', () => {
    const t = transformImage(ramp, shape, 'translate', 2)
    for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) expect(t[y * 5 + x]).toBeCloseTo(10 * Math.max(0, y - 2) + x, 5)
  })

  it('rotates by 90° about the centre: output (y, x) reads input (4 − x, y)', () => {
    const t = transformImage(ramp, shape, 'rotate', 90)
    for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) expect(t[y * 5 + x]).toBeCloseTo(ramp[x * 5 + (4 - y)], 4)
  })

  it('leaves the image as it is at scale 1, translation 0 and rotation 0; scale 2 enlarges about the centre', () => {
    for (const [kind, amount] of [['scale', 1], ['translate', 0], ['rotate', 0]] as const) expect(Array.from(transformImage(ramp, shape, kind, amount))).toEqual(Array.from(ramp))
    const z = transformImage(ramp, shape, 'scale', 2)
    expect(z[12]).toBe(ramp[12])
    // Output (0, 0) reads the input at the centre + (0 − 2)/2 = pixel (1, 1); (0, 1) reads (1, 1.5).
    expect(z[0]).toBeCloseTo(ramp[6], 5)
    expect(z[1]).toBeCloseTo((ramp[6] + ramp[7]) / 2, 5)
  })

  it('spaces the amounts evenly and refuses bad ranges', () => {
    expect(amountsBetween('rotate', 0, 90, 4)).toEqual([0, 30, 60, 90])
    expect(() => amountsBetween('scale', 0, 2, 5)).toThrow(/scale factor of 0/)
    expect(() => amountsBetween('translate', 3, -3, 5)).toThrow(/from ≤ to/)
    expect(() => amountsBetween('translate', -3, 3, 1)).toThrow(/steps: 1/)
  })
})

describe('pointing figures', () => {
  it('counts only positive mass, and an empty map is left out', () => {
    const mask = [1, 1, 0, 0]
    expect(positiveShare([2, -5, 1, 1], mask)).toBeCloseTo(0.5)
    expect(positiveShare([0, -1, 0, 0], mask)).toBeNull()
    expect(areaShare(mask)).toBe(0.5)
    const s = spread([0.2, 0.4, 0.6])
    expect(s.mean).toBeCloseTo(0.4)
    expect(s.std).toBeCloseTo(0.2)
    expect([s.min, s.max]).toEqual([0.2, 0.6])
  })
})

describe('exclusive evidence regions', () => {
  it('adds "A only" regions where regions overlap', async () => {
    const { withExclusiveRegions } = await import('../../../../src-main/engine/analysis/explain/pointing')
    const masks = new Map([
      ['Smiling', [Uint8Array.from([1, 1, 0, 0])]],
      ['Male', [Uint8Array.from([0, 1, 1, 0])]],
      ['Eyeglasses', [Uint8Array.from([0, 0, 0, 1])]]
    ])
    const out = withExclusiveRegions(masks)
    expect([...out.keys()]).toEqual(['Smiling', 'Male', 'Eyeglasses', 'Smiling only', 'Male only'])
    expect(Array.from(out.get('Male only')![0])).toEqual([0, 0, 1, 0])
    expect(Array.from(out.get('Smiling only')![0])).toEqual([1, 0, 0, 0])
  })
})

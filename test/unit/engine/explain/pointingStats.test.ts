import { describe, expect, it } from 'vitest'
import { areaShare, exclusiveRegionNotes, positiveShare } from '../../../../src-main/engine/analysis/explain/pointing'
import { differenceVerdict, fmt, interval, liftVerdict, pairedRegion, regionLift } from '../../../../src-main/engine/analysis/explain/pointingStats'

/** Per-image shares and areas of one region from small hand-made maps and masks. */
function region(attribute: string, maps: number[][], masks: number[][]) {
  return { attribute, shares: maps.map((m, i) => positiveShare(m, masks[i])), areas: masks.map((m) => areaShare(m)) }
}

describe('lift of a region', () => {
  it('is the mean share of positive mass over the mean area share, with a bootstrap interval over images', () => {
    // Image 1: positive mass 4, 2 of it on the region (share 0.5), region 1 pixel of 4 (0.25).
    // Image 2: positive mass 5, 1.5 inside (0.3), area 0.25. Image 3: no positive mass, left out.
    const r = region('mouth', [[2, 0, 1, 1], [1.5, 3, -1, 0.5], [0, -1, 0, 0]], [[1, 0, 0, 0], [1, 0, 0, 0], [1, 1, 0, 0]])
    expect(r.shares).toEqual([0.5, 0.3, null])
    const { lift, counted } = regionLift(r)
    expect(counted).toBe(2)
    // (0.5 + 0.3) / 2 ÷ (0.25 + 0.25) / 2 = 1.6. A resample of two images holds image 1 twice
    // (lift 2, probability 1/4), image 2 twice (1.2, 1/4) or both (1.6, 1/2): interval 1.2–2.
    expect(lift!.value).toBeCloseTo(1.6, 12)
    expect(lift!.low).toBeCloseTo(1.2, 12)
    expect(lift!.high).toBeCloseTo(2, 12)
    const v = liftVerdict('the Smiling model', 'occlusion', 'mouth', lift, counted)
    expect(v.verdict).toBe('supported')
    expect(v.sentence).toBe('Supported: the Smiling model\'s occlusion lift on the mouth region is 1.6 (95 % CI 1.2–2.0, 2 images), above 1 over the whole interval.')
    expect(v.threshold).toMatch(/above 1/)
  })

  it('is inconclusive when the interval includes 1 and not supported when it lies below 1', () => {
    // Lifts per image 2 and 0.4: the interval runs from 0.4 to 2 and includes 1.
    const wide = regionLift({ attribute: 'jaw', shares: [0.5, 0.1], areas: [0.25, 0.25] })
    expect([wide.lift!.low, wide.lift!.high].map((v) => +v.toFixed(9))).toEqual([0.4, 2])
    const v = liftVerdict('the Male model', 'gradcam', 'jaw', wide.lift, wide.counted)
    expect(v.verdict).toBe('inconclusive')
    expect(v.sentence).toMatch(/more images would settle it/)
    // Lifts 0.2 and 0.4: below 1 over the whole interval.
    const low = regionLift({ attribute: 'jaw', shares: [0.1, 0.2], areas: [0.5, 0.5] })
    expect(low.lift!.high).toBeCloseTo(0.4, 12)
    expect(liftVerdict('the Male model', 'gradcam', 'jaw', low.lift, low.counted).verdict).toBe('not supported')
    // A region no map had mass for has no lift, and its verdict says so.
    expect(regionLift({ attribute: 'jaw', shares: [null], areas: [0.5] }).lift).toBeNull()
    expect(liftVerdict('the Male model', 'saliency', 'jaw', null, 0).verdict).toBe('inconclusive')
  })
})

describe('paired comparison of two runs on the same images', () => {
  it('gives both lifts, their difference from the same resamples, the sign-flip p-value and a sentence', () => {
    const own = { attribute: 'Smiling', shares: [0.6, 0.4, 0.5], areas: [0.1, 0.1, 0.1] }
    const other = { attribute: 'Smiling', shares: [0.2, 0.1, 0.3], areas: [0.1, 0.1, 0.1] }
    const r = pairedRegion(own, other, 'occlusion', { own: 'the Smiling model', other: 'the Male model' })!
    expect(r.lift.value).toBeCloseTo(5, 12)
    expect(r.otherLift.value).toBeCloseTo(2, 12)
    expect(r.difference.value).toBeCloseTo(3, 12)
    // Per-image differences in lift 4, 3 and 2: every resample's mean lies within 2..4.
    expect(r.difference.low).toBeGreaterThanOrEqual(2 - 1e-9)
    expect(r.difference.high).toBeLessThanOrEqual(4 + 1e-9)
    // Differences in share 0.4, 0.3, 0.2 all positive: 2 of the 8 sign patterns reach the observed sum.
    expect(r.p).toBeCloseTo(0.25, 12)
    expect(r.sentence).toMatch(/^On the Smiling region, the Smiling model's occlusion lift is 5\.0 \(95 % CI [\d.]+–[\d.]+\) and the Male model's 2\.0 \([\d.]+–[\d.]+\): the Smiling model looks at the Smiling region more \(difference 3\.0, CI [\d.]+–[\d.]+, p = 0\.25, 3 images\)\.$/)
    expect(differenceVerdict('the Smiling model', 'the Male model', 'occlusion', r, r.difference, r.p).verdict).toBe('supported')
    const reversed = { value: -3, low: -r.difference.high, high: -r.difference.low }
    expect(differenceVerdict('the Male model', 'the Smiling model', 'occlusion', r, reversed, r.p).verdict).toBe('not supported')
    // Seen from the other run, the sentence names the model that looks more and keeps the difference positive.
    const seenFromOther = pairedRegion(other, own, 'occlusion', { own: 'the Male model', other: 'the Smiling model' })!
    expect(seenFromOther.difference.value).toBeCloseTo(-3, 12)
    expect(seenFromOther.sentence).toMatch(/: the Smiling model looks at the Smiling region more \(difference 3\.0, CI [\d.]+–[\d.]+, p = 0\.25, 3 images\)\.$/)
  })

  it('uses only images where both maps had positive mass, and says when there is no clear difference', () => {
    const own = { attribute: 'Male', shares: [0.3, null, 0.1, 0.2], areas: [0.2, 0.2, 0.2, 0.2] }
    const other = { attribute: 'Male', shares: [0.1, 0.5, 0.3, 0.2], areas: [0.2, 0.2, 0.2, 0.2] }
    const r = pairedRegion(own, other, 'saliency', { own: 'the Smiling model', other: 'the Male model' })!
    expect(r.images).toBe(3)
    expect(r.difference.value).toBeCloseTo(0, 12)
    expect(r.sentence).toMatch(/no clear difference between them/)
    expect(differenceVerdict('the Male model', 'the Smiling model', 'saliency', r, r.difference, r.p).verdict).toBe('inconclusive')
  })
})

describe('words', () => {
  it('explains each "X only" region in one sentence', () => {
    const masks = new Map([
      ['Smiling', [Uint8Array.from([1, 1, 0, 0])]],
      ['Male', [Uint8Array.from([0, 1, 1, 0])]],
      ['Eyeglasses', [Uint8Array.from([0, 0, 0, 1])]]
    ])
    expect(exclusiveRegionNotes(masks)).toEqual([
      { region: 'Smiling only', note: '"Smiling only" is the Smiling region without the pixels it shares with the Male region, so mass there is not counted for Smiling as well.' },
      { region: 'Male only', note: '"Male only" is the Male region without the pixels it shares with the Smiling region, so mass there is not counted for Male as well.' }
    ])
  })

  it('writes numbers with two significant figures, whole numbers from 10, and intervals with a negative end with "to"', () => {
    expect([interval({ low: 1.23, high: 3.45 }), interval({ low: -0.154, high: 1.5 })]).toEqual(['1.2–3.5', '−0.15 to 1.5'])
    expect([fmt(6.234), fmt(0.456), fmt(12.6), fmt(-4.31), fmt(0), fmt(NaN)]).toEqual(['6.2', '0.46', '13', '−4.3', '0', '–'])
  })
})

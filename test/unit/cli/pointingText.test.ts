import { describe, expect, it } from 'vitest'
import type { PointingResponse } from '../../../src-shared/explain'
import { pointingText } from '../../../src-main/cli/commands/pointingText'

const spread = (mean: number) => ({ mean, std: 0.01, min: mean, max: mean })
const verdict = { claim: "The Smiling model's occlusion map points at the Smiling region more than its area would predict", verdict: 'supported' as const, sentence: 'Supported: …', threshold: 'Supported when the whole 95 % interval of the lift lies above 1.' }
const response: PointingResponse = {
  runId: 'r1',
  name: 'smiling',
  epoch: 3,
  attribute: 'Smiling',
  split: 'test',
  seed: 0,
  images: 2,
  indices: [4, 9],
  layer: 'block4_conv2',
  patch: 13,
  stride: 4,
  methods: [
    {
      method: 'occlusion',
      empty: 0,
      regions: [
        { attribute: 'Smiling', area: spread(0.033), share: spread(0.257), lift: { value: 7.8, low: 5.5, high: 10.3 }, counted: 2, shares: [0.25, 0.26], areas: [0.033, 0.033] },
        { attribute: 'Eyeglasses', area: spread(0.096), share: spread(0.1), lift: { value: 1.05, low: 0.55, high: 1.6 }, counted: 2, shares: [0.1, 0.1], areas: [0.096, 0.096] }
      ]
    }
  ],
  regionNotes: [{ region: 'Smiling only', note: '"Smiling only" is the Smiling region without the pixels it shares with the Male region, so mass there is not counted for Smiling as well.' }],
  level: 0.95,
  replicates: 2000,
  verdicts: [verdict],
  paired: null,
  pairedNote: 'This run is not one of a pair; give another run trained on the same images to compare the two on the same images.',
  cached: false
}

describe('featurelens explain --pointing as text', () => {
  it('prints each lift with its interval, marks those above 1, and prints notes, verdicts with their rule and why there is no comparison', () => {
    const lines = pointingText(response)
    expect(lines.find((l) => l.includes('Smiling ') && l.startsWith('occlusion'))).toMatch(/25\.7% ± 1\.0%\s+7\.8 \(5\.5–10\) \*$/)
    expect(lines.find((l) => l.includes('Eyeglasses'))).toMatch(/1\.1 \(0\.55–1\.6\)$/)
    expect(lines).toContain(response.regionNotes[0].note)
    expect(lines).toContain(`Does the model look at its own attribute’s region? (${verdict.threshold})`)
    expect(lines).toContain(`  SUPPORTED: ${verdict.claim}. ${verdict.sentence}`)
    expect(lines.at(-1)).toBe(response.pairedNote)
    for (const banned of [/\bpt\b/, /\bp95\b/, /\brun A\b/, /\brun B\b/]) expect(lines.join('\n')).not.toMatch(banned)
  })
})

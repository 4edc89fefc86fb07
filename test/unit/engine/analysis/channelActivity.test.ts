import { describe, expect, it } from 'vitest'
import { ChannelActivityAccumulator, PRUNE_HINT, WIDEN_HINT, channelActivity } from '../../../../src-main/engine/analysis/featureMaps/channelActivity'

/**
 * 10 images of 3×3 maps with 4 channels (post-ReLU):
 *   ch0 zero everywhere on every image                      → dead
 *   ch1 positive at every position on every image           → always on
 *   ch2 fires at one position only                          → normal
 *   ch3 all zero on 5 images, all positive on the other 5   → normal at the default 0.9
 */
function sample(): { data: Float32Array; shape: number[] } {
  const n = 10
  const positions = 9
  const c = 4
  const data = new Float32Array(n * positions * c)
  for (let i = 0; i < n; i++)
    for (let p = 0; p < positions; p++) {
      const base = (i * positions + p) * c
      data[base + 1] = 0.5 + p * 0.1
      data[base + 2] = p === 4 ? 3 : 0
      data[base + 3] = i < 5 ? 0 : 1
    }
  return { data, shape: [n, 3, 3, c] }
}

describe('channel activity', () => {
  it('finds dead and always-on channels with hints', () => {
    const { data, shape } = sample()
    const r = channelActivity(data, shape)
    expect(r.images).toBe(10)
    expect(r.tolerance).toBeCloseTo(0.03, 9) // 1% of the peak |F| = 3
    expect(r.channels.map((c) => [c.deadFraction, c.alwaysOnFraction])).toEqual([[1, 0], [0, 1], [0, 0], [0.5, 0.5]])
    expect(r.channels.map((c) => c.status)).toEqual(['dead', 'always_on', 'normal', 'normal'])
    expect(r.flagged.map((c) => [c.channel, c.hint])).toEqual([[0, PRUNE_HINT], [1, WIDEN_HINT]])
    expect(PRUNE_HINT).toBe('candidate for pruning')
    expect(WIDEN_HINT).toBe('layer may want more width')
    expect([r.deadCount, r.alwaysOnCount]).toEqual([1, 1])
  })

  it('honours the flag fraction and an absolute tolerance', () => {
    const { data, shape } = sample()
    const loose = channelActivity(data, shape, { flagFraction: 0.5 })
    expect(loose.channels[3].status).toBe('dead') // dead on half the images; dead is checked first
    // With a tolerance of 0.95, ch1 (0.5…1.3) is no longer above it everywhere, and ch3 (≤ 1) …
    const strict = channelActivity(data, shape, { tolerance: 0.95 })
    expect(strict.channels[1].alwaysOnFraction).toBe(0)
    expect(strict.channels[3].deadFraction).toBe(0.5)
    expect(strict.channels[3].alwaysOnFraction).toBe(0.5)
  })

  it('gives the same report fed image by image', () => {
    const { data, shape } = sample()
    const acc = new ChannelActivityAccumulator(4)
    const size = 9 * 4
    for (let i = 0; i < 10; i++) acc.add(data.subarray(i * size, (i + 1) * size), [3, 3, 4])
    expect(acc.report()).toEqual(channelActivity(data, shape))
  })

  it('treats signed maps by magnitude and rejects bad input', () => {
    const acc = new ChannelActivityAccumulator(1)
    acc.add(Float32Array.from([-1, -2, -3, -4]), [2, 2, 1])
    expect(acc.report().channels[0].status).toBe('always_on')
    expect(() => acc.add(new Float32Array(8), [2, 2, 2])).toThrowError(/2 channels but this layer has 1/)
    expect(() => acc.add(new Float32Array(3), [2, 2, 1])).toThrowError(/do not match shape/)
    expect(() => new ChannelActivityAccumulator(2).report()).toThrowError(/at least one image/)
    expect(() => channelActivity(new Float32Array(4), [2, 2, 1, 1], { flagFraction: 0 })).toThrowError(/flagFraction/)
  })
})

import { describe, expect, it } from 'vitest'
import { receptivePatch } from '../../../../src-main/engine/analysis/featureMaps/evolution'

describe('receptive-field patches', () => {
  const image = Float32Array.from({ length: 6 * 6 }, (_, i) => i)
  const shape = { height: 6, width: 6, channels: 1 }
  const field = (size: number, jump: number, start: number) => ({ height: { size, jump, start }, width: { size, jump, start } })

  it('crops the field around the unit and marks what lies outside the image as NaN', () => {
    // A 3×3 field with jump 2 starting at pixel 1: unit (1, 2) is centred on pixel (3, 5).
    const { patch, size } = receptivePatch(image, shape, field(3, 2, 1), 1, 2)
    expect(size).toEqual([3, 3])
    expect(Array.from(patch)).toEqual([16, 17, NaN, 22, 23, NaN, 28, 29, NaN])
  })

  it('shows the whole image when the field covers it', () => {
    const { patch, size } = receptivePatch(image, shape, field(10, 4, 0), 1, 1)
    expect(size).toEqual([6, 6])
    expect(Array.from(patch)).toEqual(Array.from(image))
  })
})

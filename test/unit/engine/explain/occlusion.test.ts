import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { defaultOcclusion, occlusion } from '../../../../src-main/engine/analysis/explain/occlusion'
import { H, handImage, handLogits, handModel } from './handNetwork'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

const shape = { height: H, width: H, channels: 1 }
const softmax = (z: number[]): number[] => {
  const m = Math.max(...z)
  const e = z.map((v) => Math.exp(v - m))
  const s = e.reduce((a, b) => a + b, 0)
  return e.map((v) => v / s)
}

describe('occlusion sensitivity', () => {
  it('a square that covers nothing (the fill is what is already there) gives the unoccluded values everywhere', async () => {
    const model = handModel()
    const image = new Float32Array(H * H).fill(0.3)
    const r = await occlusion(model, image, shape, { patch: 2, stride: 1, fill: 0.3, layer: 'c', cls: 1 })
    expect(r.tops).toEqual([0, 1, 2, 3, 4])
    expect(r.activation.length).toBe(25)
    for (let i = 0; i < 25; i++) {
      expect(r.activation[i]).toBe(r.unoccluded.activation)
      expect(r.probability[i]).toBe(r.unoccluded.probability)
      expect(r.label[i]).toBe(r.unoccluded.label)
    }
    expect(Array.from(r.attribution).every((v) => v === 0)).toBe(true)
    expect(r.unoccluded.probability).toBeCloseTo(softmax(handLogits(image))[1], 5)
  })

  it('maps P(class), the label and the strongest map’s total activation of each occluded image', async () => {
    const model = handModel()
    const image = handImage()
    const progress: number[] = []
    const r = await occlusion(model, image, shape, { patch: 3, stride: 2, fill: 0, layer: 'c', cls: 0, batchSize: 2 }, { onProgress: (u) => progress.push(u.done) })
    expect(r.tops).toEqual([0, 2])
    expect(progress.at(-1)).toBe(4)
    for (const [i, [top, left]] of [[0, 0], [0, 2], [2, 0], [2, 2]].entries()) {
      const occluded = Float64Array.from(image)
      for (let y = top; y < top + 3; y++) for (let x = left; x < left + 3; x++) occluded[y * H + x] = 0
      const p = softmax(handLogits(occluded))
      expect(r.probability[i]).toBeCloseTo(p[0], 5)
      expect(r.label[i]).toBe(p.indexOf(Math.max(...p)))
    }
  })

  it('refuses a square larger than the image and a stride of 0, naming the value', async () => {
    const model = handModel()
    await expect(occlusion(model, handImage(), shape, { patch: 7, stride: 1, fill: 0.5, layer: 'c', cls: 0 })).rejects.toThrow(/patch: 7 px is larger than the 6×6 image; choose at most 6/)
    await expect(occlusion(model, handImage(), shape, { patch: 2, stride: 0, fill: 0.5, layer: 'c', cls: 0 })).rejects.toThrow(/stride: 0 would not move the square/)
    await expect(occlusion(model, handImage(), shape, { patch: 2, stride: 1, fill: 0.5, layer: 'c', cls: 3 })).rejects.toThrow(/class: 3 is out of range/)
    await expect(occlusion(model, handImage(), shape, { patch: 2, stride: 1, fill: 0.5, layer: 'c', cls: 0 }, { signal: AbortSignal.abort() })).rejects.toThrow(/cancelled/)
  })

  it('chooses defaults by input size', () => {
    expect(defaultOcclusion({ height: 28, width: 28, channels: 1 })).toEqual({ patch: 6, stride: 2, fill: 0.5 })
    expect(defaultOcclusion({ height: 64, width: 64, channels: 3 })).toEqual({ patch: 13, stride: 4, fill: 0.5 })
    expect(defaultOcclusion({ height: 224, width: 224, channels: 3 })).toEqual({ patch: 45, stride: 15, fill: 0.5 })
  })
})

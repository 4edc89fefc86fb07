import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TrainConfig } from '../../src-shared/run'
import type { TaskProgress } from '../../src-shared/api/tasks'
import { initBackend } from '../../src-main/engine/backend/select'
import { buildModel } from '../../src-main/engine/models/index'
import type { OpenApi } from '../../src-main/api/openApi'
import { driftingWeights, storeRun } from '../support/storedRun'
import { openTestApi } from '../support/workspace'

let api: OpenApi
let runId: string
let moved: string

// LeNet-5 on the bundled MNIST, stored at two epochs (weights drift between them). The methods'
// numerics are checked on a hand-set network in test/unit/engine/explain; here the whole path
// from a stored run and its dataset to the response.
beforeAll(async () => {
  await initBackend()
  api = openTestApi()
  const config = TrainConfig.parse({ dataset: 'mnist', model: { name: 'lenet5' }, epochs: 1 })
  const model = await buildModel(config.model, { height: 28, width: 28, channels: 1 }, 10, 'softmax', 3)
  runId = storeRun(api.context.db, model, 2, driftingWeights, config)
  moved = storeRun(api.context.db, model, 1, undefined, TrainConfig.parse({ dataset: '/nowhere/faces-moved', model: { name: 'lenet5' }, epochs: 1 }))
}, 120_000)
afterAll(() => api?.close())

const image = { split: 'test' as const, index: 0 }

describe('explaining an MNIST run', () => {
  it('offers layers, classes and per-size defaults', async () => {
    const o = await api.call('explain.overview', { runId })
    expect(o.epochs).toEqual([0, 1])
    expect(o.input).toEqual({ height: 28, width: 28, channels: 1 })
    expect(o.classNames).toHaveLength(10)
    expect(o.defaults.occlusion).toEqual({ patch: 6, stride: 2, fill: 0.5 })
    expect(o.layers.find((l) => l.name === o.defaults.gradcamLayer)?.spatial).toBe(true)
    expect(o.dataset.evidence).toEqual([])
  })

  it('computes an occlusion map with progress; black squares over black background change nothing', async () => {
    const events: TaskProgress[] = []
    const off = api.context.events.subscribe((name, payload) => {
      if (name === 'task.progress') events.push(payload as TaskProgress)
    })
    const r = await api.call('explain.occlusion', { runId, epoch: 1, image, patch: 4, stride: 4, fill: 0, taskId: 'occ-1' })
    off()
    expect(r.tops).toEqual([0, 4, 8, 12, 16, 20, 24])
    expect(r.probability.length).toBe(49)
    expect(r.classSource).toBe('label')
    expect(r.class).toBe(r.input.label)
    expect(events.some((e) => e.taskId === 'occ-1' && e.task === 'occlusion map')).toBe(true)
    expect(events.at(-1)!.done).toBe(49)
    // Every square in the image's blank border covers only zeros, so it covers nothing.
    const px = r.input.pixels
    let blank = 0
    r.tops.forEach((top, i) =>
      r.lefts.forEach((left, j) => {
        for (let y = top; y < top + 4; y++) for (let x = left; x < left + 4; x++) if (px[y * 28 + x] !== 0) return
        blank++
        expect(r.probability[i * 7 + j]).toBe(r.unoccluded.probability)
        expect(r.activation[i * 7 + j]).toBe(r.unoccluded.activation)
        expect(r.label[i * 7 + j]).toBe(r.unoccluded.label)
      })
    )
    expect(blank).toBeGreaterThan(10)
  })

  it('cancels an occlusion map', async () => {
    const pending = api.dispatch('explain.occlusion', { runId, epoch: 1, image, patch: 2, stride: 1, taskId: 'occ-2' })
    await new Promise((r) => setTimeout(r, 30))
    await api.dispatch('task.cancel', { taskId: 'occ-2' })
    await expect(pending).rejects.toThrow(/cancelled/)
  })

  it('gives Grad-CAM, saliency and both projections', async () => {
    const g = await api.call('explain.gradients', { runId, epoch: 1, image })
    expect(g.saliency.length).toBe(28 * 28)
    expect(g.gradcam.upsampled.length).toBe(28 * 28)
    expect(g.gradcam.map.length).toBe(g.gradcam.mapHeight * g.gradcam.mapWidth)
    const p = await api.call('explain.project', { runId, epoch: 1, image, layer: 'c3', channel: 2 })
    expect(p.unit.channel).toBe(2)
    expect(p.deconvnet.length).toBe(28 * 28)
    expect(p.guided.length).toBe(28 * 28)
    expect(Math.max(...Array.from(p.deconvnet, Math.abs))).toBeGreaterThan(0)
  })

  it('finds the top 9 of two channels at two epochs, with patches and projections of the field size', async () => {
    const r = await api.call('explain.top9', { runId, epochs: [0, 1], layer: 'c3', channels: [0, 5], sample: 60, taskId: 't9' })
    expect(r.epochs.map((e) => e.epoch)).toEqual([0, 1])
    expect(r.channelCount).toBe(16)
    expect(r.images).toBe(60)
    const [ph, pw] = r.patchShape
    for (const e of r.epochs) {
      for (const c of e.channels) {
        expect(c.top).toHaveLength(9)
        for (let i = 1; i < 9; i++) expect(c.top[i].value).toBeLessThanOrEqual(c.top[i - 1].value)
        for (const t of c.top) for (const a of [t.patch, t.deconvnet, t.guided]) expect(a.length).toBe(ph * pw)
      }
    }
  })

  it('draws invariance curves for vertical translation: zero distance and the same probability at 0 px', async () => {
    const r = await api.call('explain.invariance', { runId, epoch: 1, images: [image, { split: 'test', index: 1 }], transform: 'translate', from: -4, to: 4, steps: 5 })
    expect(r.amounts).toEqual([-4, -2, 0, 2, 4])
    expect(r.distance).toHaveLength(2)
    for (const layer of r.distance) for (const curve of layer) {
      expect(curve[2]).toBeCloseTo(0, 5)
      expect(curve[0]).toBeGreaterThan(0)
    }
    expect(r.meanProbability).toHaveLength(5)
    expect(r.unit).toBe('pixels down')
    const rot = await api.call('explain.invariance', { runId, epoch: 1, images: [image], transform: 'rotate', from: 0, to: 90, steps: 3 })
    expect(rot.distance[0][0][0]).toBeCloseTo(0, 5)
  })

  it('names the bad value: patch, stride, layer without maps, channel, undecodable image, moved dataset', async () => {
    await expect(api.dispatch('explain.occlusion', { runId, epoch: 1, image, patch: 40 })).rejects.toThrow(/patch: 40 px is larger than the 28×28 image/)
    await expect(api.dispatch('explain.occlusion', { runId, epoch: 1, image, stride: 0 })).rejects.toThrow(/stride: 0 would not move the square/)
    await expect(api.dispatch('explain.gradients', { runId, epoch: 1, image, layer: 'flatten' })).rejects.toThrow(/layer: "flatten" has output \[120\], not spatial maps/)
    await expect(api.dispatch('explain.project', { runId, epoch: 1, image, layer: 'c3', channel: 99 })).rejects.toThrow(/channel: 99 is out of range; layer "c3" has channels 0..15/)
    await expect(api.dispatch('explain.top9', { runId, epochs: [1], layer: 'c3', channels: [16] })).rejects.toThrow(/channel: 16 is out of range/)
    await expect(api.dispatch('explain.gradients', { runId, epoch: 1, image: { encoded: new Uint8Array([1, 2, 3, 4]), name: 'broken.png' } })).rejects.toThrow(/broken.png cannot be decoded as an image/)
    await expect(api.dispatch('explain.occlusion', { runId: moved, epoch: 0, image })).rejects.toThrow(/not readable at \/nowhere\/faces-moved.*upload an image file instead: explanations of an uploaded image still work/)
    await expect(api.dispatch('explain.invariance', { runId, epoch: 1, images: [image], transform: 'scale', from: 0, to: 2 })).rejects.toThrow(/scale factor of 0/)
    // An uploaded image still works for the run whose dataset moved.
    const png = await sharp(Buffer.alloc(28 * 28, 200), { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer()
    const r = await api.call('explain.gradients', { runId: moved, epoch: 0, image: { encoded: new Uint8Array(png), name: 'mine.png' } })
    expect(r.classSource).toBe('prediction')
    expect(r.input.source).toBe('mine.png')
  })
})

import * as tf from '@tensorflow/tfjs'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunSummary } from '../../src-shared/run'
import { initBackend } from '../../src-main/engine/backend/select'
import { loadRunModel } from '../../src-main/engine/models/storedModel'
import { modelFixtures, reference, relativeError } from '../support/modelFixtures'
import { openTestApi, tempDir } from '../support/workspace'

// Explain and Compare on models opened as they are (not trained here): the committed ONNX and
// Keras 3 fixtures, a small dataset folder of real PNGs, occlusion and CKA through the API.
const api = openTestApi()
const files = tempDir('fl-model-run-analyses-')
const data = join(files, 'colours')
let a: RunSummary
let b: RunSummary

/** A 32×32 PNG: a solid colour, or seeded noise when `noise` is given. */
async function png(path: string, colour: [number, number, number], noise?: number): Promise<void> {
  const raw = Buffer.alloc(32 * 32 * 3)
  let s = noise ?? 0
  for (let i = 0; i < raw.length; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31
    raw[i] = noise === undefined ? colour[i % 3] : (colour[i % 3] + (s % 120)) % 256
  }
  await sharp(raw, { raw: { width: 32, height: 32, channels: 3 } }).png().toFile(path)
}

beforeAll(async () => {
  await initBackend()
  for (const [cls, colour] of [
    ['warm', [210, 60, 30]],
    ['cool', [30, 90, 200]]
  ] as const) {
    mkdirSync(join(data, cls), { recursive: true })
    await png(join(data, cls, '0-solid.png'), [...colour])
    for (let i = 1; i < 5; i++) await png(join(data, cls, `${i}-noise.png`), [...colour], 7 * i + (cls === 'warm' ? 1 : 2))
  }
  const path = join(modelFixtures, 'smallcnn.onnx')
  a = await api.call('models.open', { path, dataset: data, name: 'small CNN' })
  b = await api.call('models.open', { path, dataset: data, name: 'small CNN again' })
})
afterAll(() => api.close())

const softmax = (logits: Float32Array | Int32Array | Uint8Array): number[] => {
  const max = Math.max(...logits)
  const e = Array.from(logits, (v) => Math.exp(v - max))
  const sum = e.reduce((s, v) => s + v, 0)
  return e.map((v) => v / sum)
}

describe('occlusion on an opened ONNX model', () => {
  it('has an Explain overview with the model’s classes and the dataset’s splits', async () => {
    const o = await api.call('explain.overview', { runId: a.id })
    expect(o.epochs).toEqual([0])
    expect(o.input).toEqual({ height: 32, width: 32, channels: 3 })
    expect(o.classNames).toEqual(Array.from({ length: 10 }, (_, i) => `class ${i}`)) // the model's, not the dataset's cool/warm
    expect(o.dataset.error).toBeNull()
    expect(o.dataset.splits).toEqual([{ name: 'all', count: 10 }])
    expect(o.layers.some((l) => l.spatial && l.className === 'Conv2D')).toBe(true)
    expect(o.layers.map((l) => l.name)).toContain(o.defaults.occlusionLayer)
  })

  it('explains the model’s prediction by default: the dataset’s label is not one of its classes', async () => {
    const r = await api.call('explain.occlusion', { runId: a.id, epoch: 0, image: { split: 'all', class: 1, nth: 1 }, patch: 16, stride: 16 })
    expect(r.input.labelName).toBe('warm')
    expect(r.classNames).toHaveLength(10)
    expect(r.classSource).toBe('prediction')
    const top = r.unoccluded.probabilities.indexOf(Math.max(...r.unoccluded.probabilities))
    expect(r.class).toBe(top)
    expect(r.unoccluded.probability).toBeCloseTo(r.unoccluded.probabilities[top], 6)
  })

  it('leaves P unchanged where the grey square is the image’s own colour', async () => {
    const split = 'all'
    const r = await api.call('explain.occlusion', { runId: a.id, epoch: 0, image: { split, class: 0, nth: 0 }, patch: 8, stride: 4, fill: 'mean', class: 3 })
    // A solid image occluded by its own mean colour is the same image: nothing changes.
    expect(r.input.source).toMatch(/0-solid\.png|#/)
    expect(r.tops.length * r.lefts.length).toBe(r.probability.length)
    expect(r.probability.length).toBe(7 * 7)
    for (const p of r.probability) expect(p).toBeCloseTo(r.unoccluded.probability, 6)
    for (const v of r.attribution) expect(Math.abs(v)).toBeLessThan(1e-6)
    // The unoccluded probabilities are the model's own (softmax of its logits), as predict says.
    const predicted = await api.call('models.predict', { runId: a.id, images: [join(data, 'cool', '0-solid.png')], top: 10 })
    for (const c of predicted.predictions[0].top) expect(r.unoccluded.probabilities[c.index]).toBeCloseTo(c.probability, 5)
  })

  it('gives, at each position, the probability of the image with that square filled', async () => {
    const r = await api.call('explain.occlusion', { runId: a.id, epoch: 0, image: { split: 'all', class: 1, nth: 2 }, patch: 10, stride: 11, fill: 0, class: 5 })
    expect(r.tops).toEqual([0, 11, 22])
    const model = await loadRunModel(api.context.db, a.id, 0)
    const { height: H, width: W, channels: C } = r.input
    let moved = 0
    for (const [ti, top] of r.tops.entries()) {
      for (const [li, left] of r.lefts.entries()) {
        const pixels = Float32Array.from(r.input.pixels)
        for (let y = top; y < Math.min(H, top + r.patch); y++) for (let x = left; x < Math.min(W, left + r.patch); x++) for (let c = 0; c < C; c++) pixels[(y * W + x) * C + c] = 0
        const logits = tf.tidy(() => (model.predict(tf.tensor4d(pixels, [1, H, W, C])) as tf.Tensor).dataSync())
        const expected = softmax(logits)[5]
        const got = r.probability[ti * r.lefts.length + li]
        expect(Math.abs(got - expected)).toBeLessThan(1e-5)
        moved = Math.max(moved, Math.abs(got - r.unoccluded.probability))
      }
    }
    model.dispose()
    expect(moved).toBeGreaterThan(1e-4) // black squares on a noisy image do change the output
  })
})

describe('CKA between opened models', () => {
  it('is 1 for each layer against itself and against the same model opened twice', async () => {
    const r = await api.call('compare.cka', { a: a.id, b: b.id, examples: { count: 10, seed: 1 } })
    expect(r.epoch).toBe(0)
    expect(r.method.examples).toBe(10)
    expect(r.layersA).toEqual(r.layersB)
    expect(r.layersA.length).toBeGreaterThan(2)
    const n = r.layersA.length
    for (let i = 0; i < n; i++) {
      expect(r.selfA[i * n + i]).toBeCloseTo(1, 4)
      expect(r.cross[i * n + i]).toBeCloseTo(1, 4)
      for (let j = 0; j < n; j++) {
        expect(r.cross[i * n + j]).toBeCloseTo(r.selfA[i * n + j], 4)
        expect(r.cross[i * n + j]).toBeGreaterThanOrEqual(-1e-5)
        expect(r.cross[i * n + j]).toBeLessThanOrEqual(1 + 1e-5)
      }
    }
    for (const l of r.perLayer) expect(l.cka).toBeCloseTo(1, 4)
  })
})

describe('a Keras 3 .keras archive opened as a model run', () => {
  it('stores the model with its reference logits, and explains an image of the dataset', async () => {
    const run = await api.call('models.open', { path: join(modelFixtures, 'residual3.keras'), dataset: data })
    expect(run.config.source).toMatchObject({ format: 'keras', outputs: 'logits', classNamesFrom: 'numbered', input: { height: 16, width: 16, channels: 3 }, preprocess: { scale: 'unit' } })
    const ref = await reference('residual3')
    const model = await loadRunModel(api.context.db, run.id, 0)
    const logits = model.predict(ref.inputs) as tf.Tensor
    expect(relativeError(logits.dataSync(), ref.logits.data)).toBeLessThan(1e-4)
    tf.dispose([logits, ref.inputs])
    model.dispose()

    const r = await api.call('explain.occlusion', { runId: run.id, epoch: 0, image: { split: 'all', class: 1, nth: 0 }, patch: 4, stride: 4, fill: 'mean', class: 2 })
    expect(r.input.height).toBe(16)
    expect(r.probability.length).toBe(16)
    for (const p of r.probability) expect(p).toBeCloseTo(r.unoccluded.probability, 6) // a solid image under its own colour
    expect(r.unoccluded.probabilities.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5)
  })
})

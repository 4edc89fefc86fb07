import * as tf from '@tensorflow/tfjs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PointingResponse } from '../../src-shared/explain'
import type { OpenApi } from '../../src-main/api/openApi'
import { loadRunModel } from '../../src-main/engine/models/storedModel'
import { classProbabilities, runGraph } from '../../src-main/engine/analysis/explain/layerGraph'
import { initBackend } from '../../src-main/engine/backend/select'
import { generateSyntheticFaces } from '../../src-main/engine/data/synthFaces/generate'
import { importRunFixture } from '../support/runFixture'
import { openTestApi, tempDir } from '../support/workspace'

// Ground truth for the explanations, on seed 004's pair as the README trains it: VGG-11 ×0.25
// with batch norm on 2000 synthetic faces of 64 px, labelled Smiling and Male, 3 epochs. Training
// that pair takes about 17 minutes on a busy 2-core machine, too long for CI, so this test loads
// a STORED FIXTURE RUN PAIR: test/fixtures/face-pair-vgg11/{smiling,male} (epoch 3 of each run,
// weights quantised to 8 bits per tensor, 3.9 MB; see run.json's "source" for how it was made),
// on the same faces regenerated here from the generator's seed.
const fixtures = new URL('../fixtures/face-pair-vgg11/', import.meta.url).pathname
let api: OpenApi
let faces: string
const runs: Record<'smiling' | 'male', { runId: string; epoch: number }> = {} as never
const figures: Record<'smiling' | 'male', PointingResponse> = {} as never

beforeAll(async () => {
  await initBackend()
  const root = tempDir('fl-truth-')
  faces = join(root, 'faces')
  await generateSyntheticFaces(faces, { count: 2000, size: 64, seed: 1 })
  api = openTestApi(join(root, 'workspace'))
  for (const name of ['smiling', 'male'] as const) runs[name] = importRunFixture(api.context.db, join(fixtures, name), faces)
}, 300_000)
afterAll(() => api?.close())

/** Test accuracy of a stored run on the regenerated faces (the 8-bit weights must still classify). */
async function testAccuracy(runId: string, epoch: number, attribute: string): Promise<number> {
  const model = await loadRunModel(api.context.db, runId, epoch)
  const dataset = await api.context.datasets.open(faces, attribute)
  const split = dataset.split('test')
  const batch = await split.readBatch(Int32Array.from({ length: split.count }, (_, i) => i), { height: 64, width: 64, channels: 3 })
  const x = tf.tensor4d(batch.x, [batch.indices.length, 64, 64, 3])
  const p = tf.tidy(() => {
    const run = runGraph(model, x, 'gradient')
    return classProbabilities(run.logits, run.outputActivation)
  })
  const probs = (await p.data()) as Float32Array
  tf.dispose([x, p])
  model.dispose()
  let right = 0
  batch.labels.forEach((label, i) => (right += (probs[i * 2 + 1] > 0.5 ? 1 : 0) === label ? 1 : 0))
  return right / batch.labels.length
}

const region = (r: PointingResponse, method: string, attribute: string) => r.methods.find((m) => m.method === method)!.regions.find((g) => g.attribute === attribute)!

describe('explanations against the synthetic faces’ evidence regions', () => {
  it('the stored pair still classifies its attributes', async () => {
    expect(await testAccuracy(runs.smiling.runId, runs.smiling.epoch, 'Smiling')).toBeGreaterThan(0.95)
    expect(await testAccuracy(runs.male.runId, runs.male.epoch, 'Male')).toBeGreaterThan(0.75)
  }, 300_000)

  it('gives top-9 grids and invariance curves on a faces run', async () => {
    const top = await api.call('explain.top9', { runId: runs.smiling.runId, epochs: [runs.smiling.epoch], layer: 'block3_conv2', channels: [0, 1], sample: 20 })
    expect(top.patchShape[2]).toBe(3)
    for (const c of top.epochs[0].channels) {
      expect(c.top).toHaveLength(9)
      for (const t of c.top) expect(t.deconvnet.length).toBe(top.patchShape[0] * top.patchShape[1] * 3)
    }
    const inv = await api.call('explain.invariance', { runId: runs.smiling.runId, epoch: runs.smiling.epoch, images: [0, 1, 2].map((index) => ({ split: 'test' as const, index })), transform: 'scale', from: 0.8, to: 1.2, steps: 3 })
    expect(inv.layers).toEqual(['block1_conv1', 'fc2'])
    for (const layer of inv.distance) for (const curve of layer) expect(curve[1]).toBeCloseTo(0, 4)
    expect(inv.images.every((i) => i.labelSource === 'label')).toBe(true)
  }, 300_000)

  it('computes pointing figures over 24 test faces for both runs', async () => {
    // The fixture runs are not stored as a pair, so each names the other to be compared with on the same images.
    for (const [name, other] of [['smiling', 'male'], ['male', 'smiling']] as const) {
      figures[name] = await api.call('explain.pointing', { runId: runs[name].runId, split: 'test', count: 24, seed: 0, with: runs[other].runId })
    }
    const pct = (v: number) => `${(v * 100).toFixed(1)}%`
    for (const name of ['smiling', 'male'] as const) {
      const r = figures[name]
      console.log(`${r.attribute} run, ${r.images} test faces, Grad-CAM at ${r.layer}, occlusion ${r.patch} px / ${r.stride}:`)
      for (const m of r.methods) console.log(`  ${m.method.padEnd(9)} ` + m.regions.map((g) => `${g.attribute} ${pct(g.share.mean)}±${pct(g.share.std)} (area ${pct(g.area.mean)}, lift ${g.lift ? `${g.lift.value.toFixed(2)} [${g.lift.low.toFixed(2)}, ${g.lift.high.toFixed(2)}]` : '–'})`).join(' · '))
      for (const v of [...r.verdicts, ...(r.paired?.verdicts ?? [])]) console.log(`  ${v.claim}: ${v.sentence}`)
      for (const m of r.paired?.methods ?? []) for (const g of m.regions) console.log(`  ${g.sentence}`)
    }
    expect(figures.smiling.images).toBe(24)
    expect(figures.smiling.paired?.runId).toBe(runs.male.runId)
    expect(figures.smiling.regionNotes.map((n) => n.region)).toEqual(expect.arrayContaining(['Smiling only', 'Male only']))
    expect(figures.smiling.methods.map((m) => m.method)).toEqual(['occlusion', 'gradcam', 'saliency'])
  }, 900_000)

  // "Well above" the area share: at least 1.5 times it (half as much again as a map spread evenly over the image).
  const WELL_ABOVE = 1.5

  it('each run’s occlusion, Grad-CAM and saliency mass on its own attribute’s region is well above the region’s area share', () => {
    for (const method of ['occlusion', 'gradcam', 'saliency']) {
      const mouth = region(figures.smiling, method, 'Smiling')
      expect(mouth.share.mean, `Smiling run, ${method}`).toBeGreaterThan(WELL_ABOVE * mouth.area.mean)
      const jaw = region(figures.male, method, 'Male')
      expect(jaw.share.mean, `Male run, ${method}`).toBeGreaterThan(WELL_ABOVE * jaw.area.mean)
    }
    // The jaw-and-beard region holds most of the mouth (the Smiling evidence); "Male only" is it without the mouth and the eyes.
    for (const method of ['occlusion', 'saliency']) {
      const only = region(figures.male, method, 'Male only')
      expect(only.share.mean, `Male run, ${method}, Male only`).toBeGreaterThan(WELL_ABOVE * only.area.mean)
    }
  })

  it('each run’s verdicts: every method’s lift on its own attribute’s region lies above 1 over its whole 95 % interval', () => {
    for (const name of ['smiling', 'male'] as const) {
      expect(figures[name].verdicts.map((v) => v.verdict), name).toEqual(['supported', 'supported', 'supported'])
    }
    // Measured: Smiling run occlusion 7.8 (95 % CI 5.5–10), Grad-CAM 2.2 (1.2–3.2), saliency 4.6
    // (4.1–5.0); Male run 2.6 (2.0–3.3), 1.7 (1.2–2.1), 2.1 (2.0–2.2) (24 test faces, seed 0).
    expect(region(figures.smiling, 'occlusion', 'Smiling').lift!.low).toBeGreaterThan(3)
  })

  it('the paired comparison: the Smiling model looks at the mouth more than the Male model by occlusion and saliency; the Male model at the jaw without the mouth by saliency', () => {
    const claims = (r: PointingResponse) => new Map(r.paired!.verdicts.map((v) => [v.claim, v.verdict]))
    for (const method of ['occlusion', 'saliency']) {
      expect(claims(figures.smiling).get(`The Smiling model looks at the Smiling region more than the Male model does (${method})`)).toBe('supported')
    }
    // Both runs' responses hold the same comparison, seen from each side.
    const fromMale = figures.male.paired!.methods.find((m) => m.method === 'saliency')!.regions.find((g) => g.attribute === 'Male only')!
    expect(fromMale.difference.low).toBeGreaterThan(0)
    const fromSmiling = figures.smiling.paired!.methods.find((m) => m.method === 'saliency')!.regions.find((g) => g.attribute === 'Male only')!
    expect(fromSmiling.difference.value).toBeCloseTo(-fromMale.difference.value, 9)
  })

  it('the Smiling run’s occlusion and saliency mass on the mouth is above the Male run’s; the Male run’s saliency on the jaw is above the Smiling run’s', () => {
    for (const method of ['occlusion', 'saliency']) {
      expect(region(figures.smiling, method, 'Smiling').share.mean, method).toBeGreaterThan(region(figures.male, method, 'Smiling').share.mean)
    }
    expect(region(figures.male, 'saliency', 'Male only').share.mean).toBeGreaterThan(region(figures.smiling, 'saliency', 'Male only').share.mean)
    expect(region(figures.male, 'saliency', 'Male').share.mean).toBeGreaterThan(region(figures.smiling, 'saliency', 'Male').share.mean)
    // Measured on this pair and NOT claimed here (README recipe, 3 epochs; the Male run reaches 82%
    // test accuracy): Grad-CAM at block4_conv2 (8×8) does not tell the two runs apart on the mouth
    // (Smiling run 7.1%, Male run 7.4%), and the Smiling run's occlusion and Grad-CAM mass spreads
    // from the mouth over the jaw around it, so on the jaw without the mouth the Male run is not
    // above it (occlusion 35.0% against 35.5%, Grad-CAM 21.4% against 33.2%).
  })
})

import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ExampleImages } from '../../../../src-main/engine/analysis/core/imageSample'
import { modelLayers } from '../../../../src-main/engine/analysis/core/layerRepresentations'
import { defaultEnergyLayer, spatialEnergy, type RegionMasks } from '../../../../src-main/engine/analysis/explain/spatialEnergy'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

const S = 8

/** conv: a 1×1 identity convolution (energy = x²); pool: its 2×2 max-pool. */
function probeModel(): tf.LayersModel {
  const input = tf.input({ shape: [S, S, 1] })
  const conv = tf.layers.conv2d({ name: 'conv', filters: 1, kernelSize: 1, useBias: false, kernelInitializer: 'ones' }).apply(input) as tf.SymbolicTensor
  const pool = tf.layers.maxPooling2d({ name: 'pool', poolSize: 2 }).apply(conv) as tf.SymbolicTensor
  return tf.model({ inputs: input, outputs: pool })
}

/** n images, each zero except a bright 2×2 patch at rows 2–3 and the given columns. */
function patches(columns: number[]): ExampleImages {
  const x = new Float32Array(columns.length * S * S)
  columns.forEach((c, i) => {
    for (const y of [2, 3]) for (const dx of [0, 1]) x[i * S * S + y * S + c + dx] = 1
  })
  return { split: 'test', indices: Int32Array.from(columns, (_, i) => i), shape: { height: S, width: S, channels: 1 }, x, failed: [] }
}

function mask(rows: number[], cols: number[]): Uint8Array {
  const m = new Uint8Array(S * S)
  for (const r of rows) for (const c of cols) m[r * S + c] = 1
  return m
}

describe('where a model looks (spatial energy)', () => {
  it('puts all energy on the patch for an identity layer, normalised to mean 1', async () => {
    const model = probeModel()
    const layers = modelLayers(model)
    const conv = layers.find((l) => l.name === 'conv')!
    const images = patches([1, 1, 1])
    const masks: RegionMasks = new Map([
      ['patch', [0, 1, 2].map(() => mask([2, 3], [1, 2]))],
      ['elsewhere', [0, 1, 2].map(() => mask([6, 7], [0, 1, 2, 3]))]
    ])
    const result = await spatialEnergy([{ model, layer: conv, images }], masks)
    expect([result.mapHeight, result.mapWidth]).toEqual([S, S])
    const energy = result.energy[0]
    expect(energy.reduce((s, v) => s + v, 0) / energy.length).toBeCloseTo(1, 5)
    // 4 of 64 pixels hold everything: 16× the image average each.
    expect(energy[2 * S + 1]).toBeCloseTo(16, 4)
    expect(energy[0]).toBeCloseTo(0, 6)
    const byName = Object.fromEntries(result.regions.map((r) => [r.attribute, r]))
    expect(byName.patch.shares[0]).toBeCloseTo(1, 6)
    expect(byName.patch.area).toBeCloseTo(4 / 64, 6)
    expect(byName.elsewhere.shares[0]).toBeCloseTo(0, 6)
    expect(result.meanImage[2 * S + 1]).toBeCloseTo(1, 6)
    model.dispose()
  })

  it('upsamples pooled maps back over the input, keeping each image’s region share', async () => {
    const model = probeModel()
    const pool = modelLayers(model).find((l) => l.name === 'pool')!
    // Two images with the patch in different places, each with its own mask.
    const images = patches([0, 4])
    const masks: RegionMasks = new Map([['patch', [mask([2, 3], [0, 1]), mask([2, 3], [4, 5])]]])
    const result = await spatialEnergy([{ model, layer: pool, images }], masks)
    expect([result.mapHeight, result.mapWidth]).toEqual([4, 4])
    const share = result.regions[0].shares[0]
    // Bilinear upsampling spreads the pooled cell over its neighbours, but most stays put.
    expect(share).toBeGreaterThan(0.3)
    expect(share).toBeLessThan(1)
    // The mean map has energy at both patch places and none in the bottom rows.
    const at = (y: number, x: number) => result.energy[0][y * S + x]
    expect(at(2, 0)).toBeGreaterThan(1)
    expect(at(2, 5)).toBeGreaterThan(1)
    expect(at(7, 7)).toBeCloseTo(0, 6)
    model.dispose()
  })

  it('compares two models on one scale and refuses a layer without maps', async () => {
    const a = probeModel()
    const b = probeModel()
    const conv = modelLayers(a).find((l) => l.name === 'conv')!
    const images = patches([3])
    const result = await spatialEnergy([{ model: a, layer: conv, images }, { model: b, layer: conv, images }], null)
    expect(Array.from(result.energy[0])).toEqual(Array.from(result.energy[1]))
    expect(result.regions).toEqual([])
    const flat = { name: 'dense', className: 'Dense', shape: [10], representation: true }
    await expect(spatialEnergy([{ model: a, layer: flat, images }], null)).rejects.toThrow(/no feature maps; choose a conv or pooling layer/)
    a.dispose()
    b.dispose()
  })

  it('defaults to the deepest conv layer whose maps are at least 4×4', () => {
    const l = (name: string, className: string, shape: number[]) => ({ name, className, shape, representation: true })
    const layers = [l('c1', 'Conv2D', [32, 32, 8]), l('p1', 'MaxPooling2D', [16, 16, 8]), l('c2', 'Conv2D', [8, 8, 16]), l('c3', 'Conv2D', [2, 2, 16]), l('fc', 'Dense', [10])]
    expect(defaultEnergyLayer(layers).name).toBe('c2')
    expect(() => defaultEnergyLayer([l('fc', 'Dense', [10])])).toThrow(/no layer with spatial feature maps/)
  })
})

import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { ApiError } from '../../../../src-shared/errors'
import { ModelSpec } from '../../../../src-shared/model'
import { ckaAcrossEpochs } from '../../../../src-main/engine/analysis/cka/ckaAcrossEpochs'
import { chooseEstimator, type CkaSource } from '../../../../src-main/engine/analysis/cka/ckaSources'
import { runPairCka } from '../../../../src-main/engine/analysis/cka/compareRuns'
import type { ExampleImages } from '../../../../src-main/engine/analysis/core/imageSample'
import { activationMatrices, chooseLayers, layerGroups, modelLayers } from '../../../../src-main/engine/analysis/core/layerRepresentations'
import { linearCka, linearCkaMinibatch } from '../../../../src-main/engine/analysis/cka/cka'
import { buildModel } from '../../../../src-main/engine/models/index'
import { rng } from './randomMatrices'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

const shape = { height: 16, width: 16, channels: 1 }
const model = (seed: number) => buildModel(ModelSpec.parse({ name: 'minimal' }), shape, 2, 'softmax', seed)

function images(n: number, seed: number): ExampleImages {
  const random = rng(seed)
  const x = new Float32Array(n * 16 * 16)
  for (let i = 0; i < x.length; i++) x[i] = random()
  return { split: 'test', indices: Int32Array.from({ length: n }, (_, i) => i), shape, x, failed: [] }
}

async function source(label: string, m: tf.LayersModel, imgs: ExampleImages): Promise<CkaSource> {
  return { label, model: m, layers: chooseLayers(modelLayers(m), undefined, label), images: imgs }
}

describe('layer × layer CKA of two runs', () => {
  it('gives 1 on the diagonal of a run against itself and against an identical copy', async () => {
    const imgs = images(40, 1)
    const m = await model(3)
    const copy = await model(3)
    const a = await source('A', m, imgs)
    const result = await runPairCka(a, await source('B', copy, imgs), { estimator: 'full', batchSize: 16 })
    const L = a.layers.length
    expect(L).toBeGreaterThan(3)
    for (let i = 0; i < L; i++) {
      expect(result.selfA[i * L + i]).toBeCloseTo(1, 6)
      expect(result.cross[i * L + i]).toBeCloseTo(1, 6)
      for (let j = 0; j < L; j++) expect(result.selfA[i * L + j]).toBeCloseTo(result.selfA[j * L + i], 6)
    }
    expect(result.perLayer.map((p) => p.layer)).toEqual(a.layers.map((l) => l.name))
    expect(result.perLayer.every((p) => p.cka !== null && Math.abs(p.cka - 1) < 1e-6)).toBe(true)
    m.dispose()
    copy.dispose()
  })

  it('matches linearCka and linearCkaMinibatch on the same activations', async () => {
    const imgs = images(96, 2)
    const ma = await model(5)
    const mb = await model(6)
    const a = await source('A', ma, imgs)
    const b = await source('B', mb, imgs)
    const full = await runPairCka(a, b, { estimator: 'full', batchSize: 32 })
    const actsA = await activationMatrices(ma, imgs, a.layers, [0, 96])
    const actsB = await activationMatrices(mb, imgs, b.layers, [0, 96])
    const L = a.layers.length
    for (let i = 0; i < L; i++) for (let j = 0; j < L; j++) expect(full.cross[i * L + j]).toBeCloseTo(linearCka(actsA[i], actsB[j]), 4)
    const progress: number[] = []
    const mini = await runPairCka(a, b, { estimator: 'minibatch', batchSize: 48 }, { onProgress: (p) => progress.push(p.done / p.total) })
    expect(mini.estimator).toBe('minibatch')
    expect(mini.batches).toBe(2)
    expect(progress.at(-1)).toBe(1)
    // Same batches in the same order (the examples are already a random draw), so the same numbers.
    for (let i = 0; i < L; i++) {
      for (let j = 0; j < L; j++) expect(mini.cross[i * L + j]).toBeCloseTo(linearCkaMinibatch(actsA[i], actsB[j], { batchSize: 48, shuffle: false }).cka, 4)
    }
    ma.dispose()
    mb.dispose()
  })

  it('stops with a "cancelled" error when the signal is aborted', async () => {
    const imgs = images(64, 3)
    const m = await model(7)
    const controller = new AbortController()
    const run = runPairCka(await source('A', m, imgs), await source('B', m, imgs), { estimator: 'full', batchSize: 16 }, {
      signal: controller.signal,
      onProgress: () => controller.abort()
    })
    await expect(run).rejects.toMatchObject({ code: 'cancelled' })
    m.dispose()
  })

  it('picks the exact estimator when the Grams fit and refuses an exact request that does not', () => {
    expect(chooseEstimator('auto', 256, 32)).toBe('full')
    expect(chooseEstimator('auto', 5000, 32)).toBe('minibatch')
    expect(chooseEstimator('minibatch', 100, 2)).toBe('minibatch')
    expect(() => chooseEstimator('full', 4000, 40)).toThrowError(ApiError)
    expect(() => chooseEstimator('full', 4000, 40)).toThrowError(/use estimator "minibatch" or fewer examples/)
  })

  it('groups wide layers so their activations fit a memory budget', () => {
    const layer = (name: string, features: number) => ({ name, className: 'Conv2D', shape: [features], representation: true })
    const groups = layerGroups([layer('a', 100), layer('b', 100), layer('c', 300), layer('d', 10)], 10, 10 * 4 * 250)
    expect(groups.map((g) => g.map((l) => l.name))).toEqual([['a', 'b'], ['c'], ['d']])
  })
})

describe('CKA across epochs', () => {
  it('is 1 at the last epoch, 1 throughout for an unchanging run, and A vs B as at one epoch', async () => {
    const imgs = images(48, 4)
    const byEpoch = [await model(11), await model(12), await model(13)]
    const fixed = await model(11)
    // The loader hands out fresh copies because ckaAcrossEpochs disposes what it loads.
    const copyOf = async (m: tf.LayersModel) => {
      const c = await model(0)
      c.setWeights(m.getWeights())
      return c
    }
    const layers = chooseLayers(modelLayers(fixed), undefined, 'A')
    const a = { label: 'A', layers, images: imgs, load: (e: number) => copyOf(byEpoch[e]) }
    const b = { label: 'B', layers, images: imgs, load: () => copyOf(fixed) }
    for (const estimator of ['full', 'minibatch'] as const) {
      const r = await ckaAcrossEpochs(a, b, [0, 1, 2], { estimator, batchSize: 24 })
      const E = 3
      for (let l = 0; l < layers.length; l++) {
        expect(r.vsFinalA[l * E + 2]).toBeCloseTo(1, 6)
        for (let e = 0; e < E; e++) expect(r.vsFinalB[l * E + e]).toBeCloseTo(1, 6)
        // Epoch 0 of A is the same network as B.
        expect(r.aVsB[l * E]).toBeCloseTo(1, 6)
      }
      const pair = await runPairCka({ label: 'A', model: byEpoch[2], layers, images: imgs }, { label: 'B', model: fixed, layers, images: imgs }, { estimator, batchSize: 24 })
      for (let l = 0; l < layers.length; l++) expect(r.aVsB[l * E + 2]).toBeCloseTo(pair.cross[l * layers.length + l], 5)
    }
    byEpoch.forEach((m) => m.dispose())
    fixed.dispose()
  })
})

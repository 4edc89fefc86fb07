import { describe, expect, it } from 'vitest'
import { useCompareImage, useCompareStore } from '../../../../../src-renderer/src/features/compare/useCompareStore'
import { compareOverview, rendererWith } from '../../../../support/rendererFixtures'

const histograms = (weight: string) => ({ weight, shape: [10], epochs: [0, 1, 2], edges: new Float64Array([0, 1]), countsA: new Uint32Array(3), countsB: new Uint32Array(3) })

describe('the compare store', () => {
  it('opens a pair at its last common epoch, the deepest conv layer of at least 4×4, the largest common weight and the default split', async () => {
    rendererWith({ 'compare.overview': ({ a, b }) => compareOverview(a, b) })
    const store = useCompareStore()
    await store.open('A', 'B')
    expect(store.epoch).toBe(2)
    expect(store.layer).toBe('conv2')
    expect(store.weight).toBe('conv2/kernel')
    expect(store.spatialLayers.map((l) => l.name)).toEqual(['conv1', 'conv2', 'conv3'])
    expect(useCompareImage().image).toEqual({ split: 'train', index: 0 })
    expect(store.examples.split).toBe('train')
  })

  it('asks both runs for the linked weight, and says what is missing before a pair is chosen', async () => {
    const api = rendererWith({ 'compare.overview': ({ a, b }) => compareOverview(a, b), 'compare.weightHistograms': ({ weight }) => histograms(weight) })
    const store = useCompareStore()
    expect(() => store.weightHistograms()).toThrow('Choose a weight both runs have.')
    await store.open('A', 'B')
    store.weight = 'conv1/kernel'
    await store.weightHistograms()
    expect(api.requests('compare.weightHistograms')).toEqual([{ a: 'A', b: 'B', weight: 'conv1/kernel' }])
    store.close()
    expect(() => store.cka('t1')).toThrow('Choose two runs to compare.')
  })

  it('follows new epochs of its own two runs only, keeping the choices once there are epochs', async () => {
    let epochs = [0, 1]
    const api = rendererWith({ 'compare.overview': ({ a, b }) => compareOverview(a, b, epochs) })
    const store = useCompareStore()
    await store.open('A', 'B')
    store.layer = 'conv1'
    const stop = store.followEpochs()
    const metrics = { epoch: 2, trainLoss: 0.3, trainAccuracy: 0.9, valLoss: null, valAccuracy: null, testLoss: null, testAccuracy: null, imagesPerSecond: null, durationMs: null }
    api.emit('runs.epoch', { runId: 'C', metrics })
    expect(api.requests('compare.overview')).toHaveLength(1)
    epochs = [0, 1, 2]
    api.emit('runs.epoch', { runId: 'B', metrics })
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(api.requests('compare.overview')).toHaveLength(2)
    expect(store.epochs).toEqual([0, 1, 2])
    expect(store.layer).toBe('conv1')
    stop()
    expect(api.listenerCount('runs.epoch')).toBe(0)
  })
})

import { afterAll, describe, expect, it } from 'vitest'
import type { RunEstimate } from '../../src-shared/run'
import { ESTIMATE_LIMITS } from '../../src-main/engine/train/estimateRun'
import { openTestApi } from '../support/workspace'

const api = openTestApi()
afterAll(() => api.close())

// LeNet-5 on MNIST (LeCun et al. 1998, 10 classes): 61,706 parameters, counted by hand:
// C1 6·(5·5+1)=156, C3 16·(6·5·5+1)=2,416, C5 120·(16·5·5+1)=48,120, F6 84·121=10,164, out 10·85=850.
const LENET5_PARAMETERS = 156 + 2416 + 48120 + 10164 + 850

describe('runs.estimate: time and storage per epoch before a run starts', () => {
  it('counts the parameters, the bytes each epoch stores and the images, and times real steps', async () => {
    const estimate = await api.call('runs.estimate', { config: { dataset: 'mnist', model: { name: 'lenet5' }, epochs: 2, limit: 6000 } })
    expect(estimate.parameters).toBe(LENET5_PARAMETERS)
    // Adam: the weights plus two moments per weight, 4 bytes each.
    expect(estimate.bytesPerEpoch).toBe(4 * 3 * LENET5_PARAMETERS)
    // About 6000 of the training images (taken per class, so a few fewer by rounding), 10% of
    // them held out for validation; and the 10,000 test images.
    expect(estimate.trainImages + estimate.evalImages - 10000).toBeGreaterThanOrEqual(5990)
    expect(estimate.trainImages + estimate.evalImages - 10000).toBeLessThanOrEqual(6000)
    expect(estimate.trainImages).toBeGreaterThan(5300)
    expect(estimate.imagesPerSecond).toBeGreaterThan(0)
    expect(estimate.secondsPerEpoch).toBeCloseTo((estimate.trainImages + estimate.evalImages / 3) / estimate.imagesPerSecond, 6)
    expect(estimate.warnings).toEqual([])

    const sgd = await api.call('runs.estimate', { config: { dataset: 'mnist', model: { name: 'lenet5' }, optimizer: 'sgd', limit: 6000 } })
    expect(sgd.bytesPerEpoch).toBe(4 * 2 * LENET5_PARAMETERS)
  }, 120_000)

  it('warns about a full-width VGG without batch norm: slow, large, and unlikely to learn on a CPU', async () => {
    const estimate = await api.call('runs.estimate', { config: { dataset: 'mnist', model: { name: 'vgg11', inputSize: 32 }, epochs: 10 } })
    expect(estimate.bytesPerEpoch).toBeGreaterThan(ESTIMATE_LIMITS.bytesPerEpoch)
    expect(estimate.warnings.join(' ')).toMatch(/disk space/)
    expect(estimate.warnings.join(' ')).toMatch(/batch normalisation/)
  }, 180_000)

  it('computes only the latest of two estimates: the form changed, the first is stopped', async () => {
    const config = { dataset: 'mnist', model: { name: 'minimal' }, limit: 1000 }
    const first = api.dispatch('runs.estimate', { config })
    const second = api.dispatch('runs.estimate', { config: { ...config, batchSize: 32 } })
    await expect(first).rejects.toMatchObject({ code: 'cancelled' })
    expect(((await second) as RunEstimate).parameters).toBeGreaterThan(0)
  }, 120_000)

  it('names the missing dataset instead of estimating', async () => {
    await expect(api.dispatch('runs.estimate', { config: { dataset: '/no/such/folder', model: { name: 'lenet5' } } })).rejects.toThrow(/\/no\/such\/folder/)
  })
})

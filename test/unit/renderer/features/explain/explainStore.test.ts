import { describe, expect, it } from 'vitest'
import { useExplainImage, useExplainStore } from '../../../../../src-renderer/src/features/explain/useExplainStore'
import { ApiError } from '../../../../../src-shared/errors'
import { explainOverview, rendererWith } from '../../../../support/rendererFixtures'

describe('the explain store', () => {
  it('opens a run at the epoch the address names, else its last; reopening it only moves the epoch', async () => {
    const api = rendererWith({ 'explain.overview': ({ runId }) => explainOverview(runId) })
    const store = useExplainStore()
    await store.open('r1', 1)
    expect(store.epoch).toBe(1)
    await store.open('r1', 0)
    expect(store.epoch).toBe(0)
    await store.open('r1', 7)
    expect(store.epoch).toBe(0)
    expect(api.requests('explain.overview')).toHaveLength(1)
    await store.open('r2', 7)
    expect(store.epoch).toBe(2)
  })

  it('explains a file when the dataset cannot be read', async () => {
    rendererWith({ 'explain.overview': ({ runId }) => explainOverview(runId, 'the folder /data/mnist is gone') })
    await useExplainStore().open('r1')
    expect(useExplainImage().mode).toBe('file')
    expect(useExplainImage().image).toBeNull()
  })

  it('sends each panel request for the open run at the shared epoch', async () => {
    const api = rendererWith({
      'explain.overview': ({ runId }) => explainOverview(runId),
      'explain.occlusion': () => Promise.reject(new ApiError('cancelled', 'cancelled by the user'))
    })
    const store = useExplainStore()
    await store.open('r1')
    store.epoch = 1
    await expect(store.occlusion({ image: { split: 'test', index: 3 }, patch: 7, stride: 3, taskId: 't1' })).rejects.toThrow('cancelled by the user')
    expect(api.requests('explain.occlusion')).toEqual([{ runId: 'r1', epoch: 1, image: { split: 'test', index: 3 }, patch: 7, stride: 3, taskId: 't1' }])
  })
})

import { describe, expect, it } from 'vitest'
import { useInspectImage, useRunInspectStore } from '../../../../../src-renderer/src/features/inspect/useRunInspectStore'
import { useNotificationsStore } from '../../../../../src-renderer/src/shared/useNotificationsStore'
import { deferred, inspectOverview, rendererWith, runSummary } from '../../../../support/rendererFixtures'
import type { InspectOverview } from '../../../../../src-shared/inspect'

const filters = { runId: 'r1', epoch: 1, normalise: 'layer' as const, layers: [] }

describe('the inspector store', () => {
  it('opens a run at its last epoch on the test split, and asks for panels at the shared epoch', async () => {
    const api = rendererWith({ 'inspect.overview': ({ runId }) => inspectOverview(runId), 'inspect.filters': () => filters })
    const store = useRunInspectStore()
    await store.open('r1')
    expect(store.overview?.runId).toBe('r1')
    expect(store.epoch).toBe(2)
    expect(useInspectImage().image).toEqual({ split: 'test', index: 0 })

    store.epoch = 1
    await store.filters({ view: 'rgb', normalise: 'layer' })
    expect(api.requests('inspect.filters')).toEqual([{ runId: 'r1', epoch: 1, view: 'rgb', normalise: 'layer' }])
  })

  it('opening the same run again asks nothing more', async () => {
    const api = rendererWith({ 'inspect.overview': ({ runId }) => inspectOverview(runId) })
    const store = useRunInspectStore()
    await store.open('r1')
    await store.open('r1')
    expect(api.requests('inspect.overview')).toHaveLength(1)
  })

  it('keeps the run chosen last when an older overview arrives after it', async () => {
    const slow = deferred<InspectOverview>()
    rendererWith({ 'inspect.overview': ({ runId }) => (runId === 'old' ? slow.promise : inspectOverview(runId)) })
    const store = useRunInspectStore()
    const first = store.open('old')
    await store.open('new')
    slow.resolve(inspectOverview('old'))
    await first
    expect(store.runId).toBe('new')
    expect(store.overview?.runId).toBe('new')
  })

  it('turns to a file when the dataset cannot be read, and tells why an overview failed', async () => {
    const api = rendererWith({ 'inspect.overview': ({ runId }) => inspectOverview(runId, { error: 'the folder /data/mnist is gone' }) })
    const store = useRunInspectStore()
    await store.open('r1')
    const image = useInspectImage()
    expect(image.mode).toBe('file')
    expect(image.image).toBeNull()

    api.handlers['inspect.overview'] = () => Promise.reject(new Error('run r2 does not exist'))
    await store.open('r2')
    expect(store.overview).toBeNull()
    expect(store.loading).toBe(false)
    expect(useNotificationsStore().notices.map((n) => n.message)).toEqual(['run r2 does not exist'])
  })

  it('reads maps at another epoch when asked, and weight values at the shared epoch only for the epoch map', async () => {
    const api = rendererWith({
      'inspect.overview': ({ runId }) => inspectOverview(runId),
      'inspect.weightValue': ({ row, col }) => ({ row, col, index: [0, 0, row, col], value: 0.5 })
    })
    const store = useRunInspectStore()
    await store.open('r1')
    await store.weightValue({ weight: 0, map: 'epoch', row: 1, col: 2 })
    await store.weightValue({ weight: 0, map: 'mean', row: 1, col: 2 })
    expect(api.requests('inspect.weightValue')).toEqual([
      { runId: 'r1', weight: 0, map: 'epoch', row: 1, col: 2, epoch: 2 },
      { runId: 'r1', weight: 0, map: 'mean', row: 1, col: 2 }
    ])
  })

  it('reads the overview again after the preprocessing changed', async () => {
    let scale: 'unit' | 'raw' = 'unit'
    const api = rendererWith({
      'inspect.overview': ({ runId }) => ({ ...inspectOverview(runId), model: `model ${scale}` }),
      'models.setPreprocess': ({ runId, preprocess }) => {
        scale = preprocess.scale === 'raw' ? 'raw' : 'unit'
        return runSummary(runId)
      }
    })
    const store = useRunInspectStore()
    await store.open('r1')
    await store.setPreprocess({ scale: 'raw', channelOrder: 'rgb' })
    expect(api.requests('inspect.overview')).toHaveLength(2)
    expect(store.overview?.model).toBe('model raw')
  })

  it('refuses a panel request before a run is open, saying what to do', () => {
    rendererWith()
    expect(() => useRunInspectStore().architecture()).toThrow('No run is open: choose a run on the Runs page to inspect it.')
  })
})

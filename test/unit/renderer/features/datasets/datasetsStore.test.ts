import { describe, expect, it } from 'vitest'
import { useDatasetsStore } from '../../../../../src-renderer/src/features/datasets/useDatasetsStore'
import { rendererWith } from '../../../../support/rendererFixtures'

describe('the datasets store', () => {
  it('keeps why a folder could not be opened, for the detail pane', async () => {
    const api = rendererWith({
      'datasets.open': ({ path }) => Promise.reject(new Error(`${path}: no images or labels found; choose a folder of class subfolders`)),
      'datasets.list': () => ({ recent: [], syntheticFaces: { path: '/w/faces', exists: false } })
    })
    const store = useDatasetsStore()
    expect(await store.open('/data/empty')).toBe(false)
    expect(store.openError).toEqual({ path: '/data/empty', message: '/data/empty: no images or labels found; choose a folder of class subfolders' })
    expect(store.opening).toBeNull()
    expect(api.listenerCount('datasets.progress')).toBe(1)
  })

  it('lists a folder for the browser and passes a refusal to it', async () => {
    const api = rendererWith({
      'fs.listDir': ({ path }) => {
        if (path === '/root') throw new Error('/root: permission denied')
        return { path: path ?? '/home/ana', parent: '/home', entries: [{ name: 'faces', path: '/home/ana/faces', kind: 'folder' }], note: null }
      }
    })
    const store = useDatasetsStore()
    expect((await store.listDir()).path).toBe('/home/ana')
    await expect(store.listDir('/root')).rejects.toThrow('/root: permission denied')
    expect(api.requests('fs.listDir')).toEqual([{}, { path: '/root' }])
  })
})

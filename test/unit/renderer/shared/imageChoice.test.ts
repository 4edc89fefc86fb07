import { describe, expect, it } from 'vitest'
import { defineImageChoiceStore } from '../../../../src-renderer/src/shared/imageChoice'
import { useNotificationsStore } from '../../../../src-renderer/src/shared/useNotificationsStore'
import { MAX_UPLOAD_BYTES } from '../../../../src-shared/inspect'
import { rendererWith } from '../../../support/rendererFixtures'

const useImage = defineImageChoiceStore('testImage')
const dataset = { splits: [{ name: 'train' as const, count: 50 }, { name: 'test' as const, count: 10 }], classNames: ['cat', 'dog'], error: null }

describe('the chosen image', () => {
  it('is a dataset example by index or by class, on the test split by default', () => {
    rendererWith()
    const image = useImage()
    image.reset(dataset)
    expect(image.image).toEqual({ split: 'test', index: 0 })
    image.mode = 'class'
    image.imageClass = 1
    image.step(1)
    expect(image.image).toEqual({ split: 'test', class: 1, nth: 1 })
  })

  it('stays inside the split when stepped or typed, and starts a new split at its first example', () => {
    rendererWith()
    const image = useImage()
    image.reset(dataset)
    image.step(-1)
    expect(image.index).toBe(0)
    image.setIndex(99)
    expect(image.index).toBe(9)
    image.setIndex(2.5)
    expect(image.index).toBe(9)
    image.setSplit('train')
    expect(image.image).toEqual({ split: 'train', index: 0 })
  })

  it('honours a preferred split, and offers nothing from a dataset without splits', () => {
    rendererWith()
    const image = useImage()
    image.reset(dataset, 'train')
    expect(image.split).toBe('train')
    image.reset({ splits: [], classNames: [], error: null })
    expect(image.image).toBeNull()
  })

  it('takes a file, and refuses one over the upload limit with a notice', async () => {
    rendererWith()
    const image = useImage()
    image.reset(dataset)
    await image.openFile(new File([new Uint8Array(8)], 'cat.png', { type: 'image/png' }))
    expect(image.mode).toBe('file')
    expect(image.image).toEqual({ encoded: new Uint8Array(8), name: 'cat.png' })

    await image.openFile(new File([new Uint8Array(MAX_UPLOAD_BYTES + 1)], 'huge.png'))
    expect(image.file?.name).toBe('cat.png')
    expect(useNotificationsStore().notices[0].message).toMatch(/^huge\.png is [\d.]+ MB; open an image under \d+ MB$/)

    // Another run: the file stays with the run it was opened for; the new run starts on its own dataset.
    image.reset(dataset)
    expect(image.mode).toBe('index')
    expect(image.file).toBeNull()
    expect(image.image).toEqual({ split: 'test', index: 0 })
  })

  it('goes to a file when the dataset cannot be read, and leaves class mode when there are no classes', () => {
    rendererWith()
    const image = useImage()
    image.reset({ ...dataset, error: 'the dataset folder is gone' })
    expect(image.mode).toBe('file')
    expect(image.image).toBeNull()
    image.mode = 'class'
    image.reset({ ...dataset, classNames: [] })
    expect(image.mode).toBe('index')
  })
})

import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bundledMnistDir, openDataset } from '../../../../src-main/engine/data/open'
import { expectBadInput, idxBytes, tempDir, writeFile, writeIdxPair } from './helpers'

let dir: string
let cleanup: () => void
beforeEach(() => ({ dir, cleanup } = tempDir()))
afterEach(() => cleanup())

describe('IDX files', () => {
  it('reads train and test pairs, plain or gzipped', async () => {
    writeIdxPair(dir, 'train', [0, 1, 2, 1, 0, 2])
    writeIdxPair(dir, 't10k', [2, 1, 0], { gz: true })
    const ds = await openDataset(dir)
    expect(ds.summary).toMatchObject({ format: 'idx', splits: [{ name: 'train', count: 6 }, { name: 'test', count: 3 }], image: { width: 5, height: 4, channels: 1 } })
    expect(ds.classNames).toEqual(['0', '1', '2'])
    expect([...ds.split('test').labels()]).toEqual([2, 1, 0])
    const batch = await ds.split('train').readBatch([1], { width: 5, height: 4, channels: 1 })
    const expected = Array.from({ length: 20 }, (_, k) => ((20 + k) * 13) % 256 / 255)
    expect([...batch.x].map((v) => +v.toFixed(5))).toEqual(expected.map((v) => +v.toFixed(5)))
  })

  it('maps sparse label values to dense class indices', async () => {
    writeIdxPair(dir, 'train', [3, 7, 3, 7])
    const ds = await openDataset(dir)
    expect(ds.classNames).toEqual(['3', '7'])
    expect([...ds.split('train').labels()]).toEqual([0, 1, 0, 1])
  })

  it('names Fashion-MNIST classes and EMNIST classes from its mapping, and un-transposes EMNIST', async () => {
    const fashion = join(dir, 'fashion')
    writeIdxPair(fashion, 'train', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect((await openDataset(fashion)).classNames[9]).toBe('Ankle boot')

    const emnist = join(dir, 'emnist')
    writeIdxPair(emnist, 'train', [1, 2], { prefix: 'emnist-letters-', rows: 3, cols: 3 })
    writeFile(join(emnist, 'emnist-letters-mapping.txt'), '1 65 97\n2 66 98\n')
    const ds = await openDataset(emnist)
    expect(ds.classNames).toEqual(['A', 'B'])
    const img = await ds.split('train').readImage(0)
    const stored = Array.from({ length: 9 }, (_, i) => (i * 13) % 256)
    // Stored column-major: pixel (row r, col c) is stored at c*3+r.
    expect(Math.round(img.x[1] * 255)).toBe(stored[3])
  })

  it('opens one dataset of several by its images file', async () => {
    writeIdxPair(dir, 'train', [0, 1], { prefix: 'emnist-digits-' })
    writeIdxPair(dir, 'train', [0, 1, 1], { prefix: 'emnist-mnist-' })
    await expectBadInput(() => openDataset(dir), /holds 2 IDX datasets/, /open one of its images files/)
    const ds = await openDataset(join(dir, 'emnist-mnist-train-images-idx3-ubyte'))
    expect(ds.summary.total).toBe(3)
  })

  it('rejects a wrong magic number, naming the file', async () => {
    const { images, labels } = writeIdxPair(dir, 'train', [0, 1])
    writeFileSync(images, readFileSync(labels))
    await expectBadInput(() => openDataset(dir), images, /wrong magic number 0x00000801/, /looks like an IDX labels file/)
  })

  it('rejects an images file whose length disagrees with its header', async () => {
    const { images } = writeIdxPair(dir, 'train', [0, 1, 0])
    const bytes = readFileSync(images)
    writeFileSync(images, bytes.subarray(0, bytes.length - 7))
    await expectBadInput(() => openDataset(dir), images, /header says 3 images of 4×5/, /truncated/)
  })

  it('rejects a labels file whose count disagrees with the images', async () => {
    const { labels } = writeIdxPair(dir, 'train', [0, 1, 0])
    writeFileSync(labels, idxBytes([2], Uint8Array.from([0, 1])))
    await expectBadInput(() => openDataset(dir), labels, /has 2 labels but train-images-idx3-ubyte has 3 images/)
  })

  it('rejects a labels file whose count disagrees with its own length', async () => {
    const { labels } = writeIdxPair(dir, 'train', [0, 1, 0])
    writeFileSync(labels, idxBytes([5], Uint8Array.from([0, 1, 0])))
    await expectBadInput(() => openDataset(dir), labels, /header says 5 labels but the file has room for 3/)
  })

  it('rejects an images file without its labels file', async () => {
    writeFile(join(dir, 'train-images-idx3-ubyte'), idxBytes([1, 2, 2], new Uint8Array(4)))
    await expectBadInput(() => openDataset(dir), /train-images-idx3-ubyte: there is no matching labels file/)
  })

  it('rejects a damaged gzip file', async () => {
    const { images } = writeIdxPair(dir, 'train', [0, 1], { gz: true })
    const gz = readFileSync(images)
    writeFileSync(images, gz.subarray(0, gz.length - 10))
    await expectBadInput(() => openDataset(dir), images, /damaged or incomplete gzip/)
  })

  it('rejects labels that are all the same class', async () => {
    writeIdxPair(dir, 'train', [4, 4, 4])
    await expectBadInput(() => openDataset(dir), /train-labels-idx1-ubyte: every image has the label 4/)
  })

  it('refuses a gzip that inflates past the size limit', async () => {
    const { readIdxBytes } = await import('../../../../src-main/engine/data/idx')
    const path = join(dir, 'big-images-idx3-ubyte.gz')
    writeFileSync(path, gzipSync(Buffer.alloc(100_000)))
    await expectBadInput(() => readIdxBytes(path, 10_000), /inflates to more than 10000 bytes/)
  })
})

describe('bundled MNIST', () => {
  it('is the real MNIST: 60000 + 10000 images of 28×28×1 in 10 classes', async () => {
    const ds = await openDataset('mnist')
    expect(ds.summary).toMatchObject({ path: 'mnist', bundled: true, location: bundledMnistDir(), total: 70000 })
    expect(ds.summary.splits).toEqual([{ name: 'train', count: 60000 }, { name: 'test', count: 10000 }])
    expect(ds.summary.image).toMatchObject({ width: 28, height: 28, channels: 1 })
    expect(ds.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
    // The first training image is a 5 (the well-known first MNIST label).
    expect(ds.split('train').labels()[0]).toBe(5)
    const png = await ds.split('train').thumbnail(0, 56)
    expect(png.subarray(1, 4).toString()).toBe('PNG')
  })
})

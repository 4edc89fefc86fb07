import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError } from '../../../../src-shared/errors'
import { openDataset } from '../../../../src-main/engine/data/open'
import { convertInto, coverCrop } from '../../../../src-main/engine/data/resample'
import { batchesOf, epochOrder, halfOfEachClass } from '../../../../src-main/engine/data/splits'
import { tempDir, writeFile } from './helpers'

let dir: string
let cleanup: () => void

/** Class k's images are a flat colour, so every decoded pixel can be checked exactly. */
const colours: Record<string, [number, number, number]> = { red: [200, 20, 20], green: [20, 200, 20], blue: [20, 20, 200] }

beforeAll(async () => {
  ;({ dir, cleanup } = tempDir())
  for (const [name, [r, g, b]] of Object.entries(colours)) {
    for (let i = 0; i < 6; i++) {
      const img = sharp({ create: { width: 20 + i, height: 10, channels: 3, background: { r, g, b } } })
      const encoded = i % 3 === 0 ? await img.png().toBuffer() : i % 3 === 1 ? await img.jpeg({ quality: 100 }).toBuffer() : await img.webp({ lossless: true }).toBuffer()
      writeFile(join(dir, name, `${i}.${i % 3 === 0 ? 'png' : i % 3 === 1 ? 'jpg' : 'webp'}`), encoded)
    }
  }
  // A transparent PNG: alpha is composited over black.
  writeFile(join(dir, 'red', 'alpha.png'), await sharp({ create: { width: 4, height: 4, channels: 4, background: { r: 255, g: 255, b: 255, alpha: 0.5 } } }).png().toBuffer())
})
afterAll(() => cleanup())

describe('loading batches', () => {
  it('decodes PNG, JPEG and WebP to NHWC floats at the asked size, with class labels', async () => {
    const ds = await openDataset(dir)
    const split = ds.split('all')
    expect(split.count).toBe(19)
    const indices = Array.from({ length: split.count }, (_, i) => i).filter((i) => split.file(i) !== 'red/alpha.png')
    const batch = await split.readBatch(indices, { width: 8, height: 6, channels: 3 })
    expect(batch.x.length).toBe(indices.length * 8 * 6 * 3)
    expect([...batch.indices]).toEqual(indices)
    for (let n = 0; n < indices.length; n++) {
      const cls = ds.classNames[batch.labels[n]]
      const [r, g, b] = colours[cls]
      const px = batch.x.subarray(n * 144, n * 144 + 3)
      expect(Math.abs(px[0] - r / 255)).toBeLessThan(0.03)
      expect(Math.abs(px[1] - g / 255)).toBeLessThan(0.03)
      expect(Math.abs(px[2] - b / 255)).toBeLessThan(0.03)
    }
  })

  it('converts colour to grey with Rec. 601 luma and composites alpha over black', async () => {
    const ds = await openDataset(dir)
    const split = ds.split('all')
    const green = Array.from({ length: split.count }, (_, i) => i).find((i) => split.file(i) === 'green/0.png')!
    const alpha = Array.from({ length: split.count }, (_, i) => i).find((i) => split.file(i) === 'red/alpha.png')!
    const batch = await split.readBatch([green, alpha], { width: 4, height: 4, channels: 1 })
    expect(batch.x[0]).toBeCloseTo((0.299 * 20 + 0.587 * 200 + 0.114 * 20) / 255, 2)
    expect(batch.x[16]).toBeCloseTo(128 / 255, 1)
  })

  it('reads one image at its own size, and makes PNG thumbnails', async () => {
    const ds = await openDataset(dir)
    const split = ds.split('all')
    const img = await split.readImage(5)
    expect(img.width * img.height * img.channels).toBe(img.x.length)
    expect(img.label).toBe(split.labels()[5])
    const thumb = await split.thumbnail(5, 32)
    const meta = await sharp(thumb).metadata()
    expect(meta.format).toBe('png')
    expect(Math.max(meta.width!, meta.height!)).toBe(32)
  })

  it('rejects indices out of range and invalid shapes as invalid requests', async () => {
    const split = (await openDataset(dir)).split('all')
    await expect(split.readBatch([0, 99], { width: 4, height: 4, channels: 3 })).rejects.toThrow(/example 99 is out of range/)
    await expect(split.readBatch([0], { width: 4, height: 4, channels: 2 })).rejects.toBeInstanceOf(ApiError)
    expect(() => split.labels('Smiling')).toThrow(/has no attribute "Smiling"/)
  })

  it('gives the same batches in the same order for the same seed (MNIST, half of each class)', async () => {
    const train = (await openDataset('mnist')).split('train')
    const half = halfOfEachClass(train.labels(), 0)
    // floor(count/2) of each of MNIST's ten training classes.
    expect(half.selected.length).toBe(29_997)
    const first = batchesOf(epochOrder(half.selected, 0, 0), 64)[0]
    const again = batchesOf(epochOrder(halfOfEachClass(train.labels(), 0).selected, 0, 0), 64)[0]
    expect([...again]).toEqual([...first])
    const a = await train.readBatch(first, { width: 28, height: 28, channels: 1 })
    const b = await train.readBatch(again, { width: 28, height: 28, channels: 1 })
    expect(a.x).toEqual(b.x)
    expect(a.labels).toEqual(b.labels)
    expect([...a.labels]).toEqual([...first].map((i) => train.labels()[i]))
    // MNIST at another size and channel count goes through the resampler.
    const c = await train.readBatch(first.subarray(0, 2), { width: 14, height: 14, channels: 3 })
    expect(c.x.length).toBe(2 * 14 * 14 * 3)
  })
})

describe('resampling', () => {
  it('keeps a flat image flat at any size and averages when shrinking', () => {
    const src = new Uint8Array(6 * 4).fill(100)
    const out = new Float32Array(3 * 2)
    convertInto(src, 6, 1, { x: 0, y: 0, width: 6, height: 4 }, out, 0, 3, 2, 1)
    for (const v of out) expect(v).toBeCloseTo(100 / 255, 5)
    // A 2-pixel checker shrunk 2× becomes its mean.
    const checker = Uint8Array.from({ length: 16 }, (_, i) => ((i % 4) + Math.floor(i / 4)) % 2 ? 255 : 0)
    const half = new Float32Array(4)
    convertInto(checker, 4, 1, { x: 0, y: 0, width: 4, height: 4 }, half, 0, 2, 2, 1)
    for (const v of half) expect(v).toBeCloseTo(0.5, 1)
  })

  it('crops the centre for "cover"', () => {
    expect(coverCrop(200, 100, 50, 50)).toEqual({ x: 50, y: 0, width: 100, height: 100 })
    expect(coverCrop(178, 218, 64, 64)).toEqual({ x: 0, y: 20, width: 178, height: 178 })
  })
})

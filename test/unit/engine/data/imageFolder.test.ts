import { execFileSync } from 'node:child_process'
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDataset } from '../../../../src-main/engine/data/open'
import { walkFiles, WalkState } from '../../../../src-main/engine/data/walk'
import { WarningCollector } from '../../../../src-main/engine/data/warnings'
import { encodeImage, expectBadInput, tempDir, writeClassFolder, writeFile, writeImage } from './helpers'

let dir: string
let cleanup: () => void
beforeEach(() => ({ dir, cleanup } = tempDir()))
afterEach(() => cleanup())

function warning(summary: { warnings: { code: string; count: number; examples: string[] }[] }, code: string) {
  return summary.warnings.find((w) => w.code === code)
}

/** A valid PNG header whose IHDR claims width×height pixels (a decompression bomb). */
function bombPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(body))
    return Buffer.concat([len, body, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8
  ihdr[9] = 0
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), chunk('IEND', Buffer.alloc(0))])
}

describe('image folder', () => {
  it('reads classes from folder names, with counts and shape', async () => {
    await writeClassFolder(dir, ['cat', 'dog', 'bird'], 4, 12)
    await writeImage(join(dir, 'dog', 'extra.jpg'), 'jpeg', 12, 12)
    await writeImage(join(dir, 'dog', 'deeper', 'x.webp'), 'webp', 12, 12)
    writeFile(join(dir, 'cat', 'notes.txt'), 'hello')
    writeFile(join(dir, '.DS_Store'), 'junk')
    const ds = await openDataset(dir)
    const s = ds.summary
    expect(s.format).toBe('image-folder')
    expect(s.splits).toEqual([{ name: 'all', count: 14 }])
    expect(s.classes.map((c) => [c.name, c.total])).toEqual([['bird', 4], ['cat', 4], ['dog', 6]])
    expect(s.image).toMatchObject({ width: 12, height: 12, channels: 3, uniform: true, encodings: { png: 12, jpeg: 1, webp: 1 } })
    expect(warning(s, 'ignored_files')?.count).toBe(1)
    expect(s.samples.filter((g) => g.kind === 'class').map((g) => g.refs.length)).toEqual([4, 4, 6])
    expect(ds.split('all').file(0)).toBe('bird/0.png')
  })

  it('reads train/val/test split folders and unions their classes', async () => {
    await writeClassFolder(join(dir, 'train'), ['a', 'b'], 3)
    await writeClassFolder(join(dir, 'test'), ['a', 'b'], 2)
    await writeClassFolder(join(dir, 'val'), ['b'], 1)
    const s = (await openDataset(dir)).summary
    expect(s.splits).toEqual([{ name: 'train', count: 6 }, { name: 'val', count: 1 }, { name: 'test', count: 4 }])
    expect(s.classes[0]).toMatchObject({ name: 'a', total: 5, counts: { train: 3, test: 2, val: 0 } })
  })

  it('sorts numeric class names numerically', async () => {
    await writeClassFolder(dir, ['10', '2', '1'], 1)
    expect((await openDataset(dir)).classNames).toEqual(['1', '2', '10'])
  })

  it('rejects an empty folder', async () => {
    await expectBadInput(() => openDataset(dir), dir, /empty/, /one folder per class/)
  })

  it('rejects a folder with no images', async () => {
    writeFile(join(dir, 'a', 'readme.txt'), 'x')
    writeFile(join(dir, 'b', 'data.bin'), 'x')
    await expectBadInput(() => openDataset(dir), dir, /no PNG, JPEG or WebP images/)
  })

  it('rejects images without class folders', async () => {
    await writeImage(join(dir, '1.png'))
    await expectBadInput(() => openDataset(dir), dir, /no class folders/, /labels\.csv/)
  })

  it('rejects a single class', async () => {
    await writeClassFolder(dir, ['only'], 3)
    await expectBadInput(() => openDataset(dir), /only one class \("only"\)/, /at least two/)
  })

  it('rejects a folder whose images are all bad, naming the main problem', async () => {
    writeFile(join(dir, 'a', '1.png'), '')
    writeFile(join(dir, 'b', '2.png'), '')
    await expectBadInput(() => openDataset(dir), dir, /zero bytes/, /a\/1\.png/)
  })

  it('skips bad files among good ones and reports each kind with counts', async () => {
    await writeClassFolder(dir, ['a', 'b'], 10)
    const png = await encodeImage('png', 8, 8)
    const jpeg = await encodeImage('jpeg', 8, 8)
    writeFile(join(dir, 'a', 'zero.png'), '')
    writeFile(join(dir, 'a', 'cut.png'), png.subarray(0, png.length - 20))
    writeFile(join(dir, 'b', 'cut.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)))
    writeFile(join(dir, 'b', 'text.png'), 'this is not an image at all')
    writeFile(join(dir, 'a', 'really-jpeg.png'), jpeg)
    writeFile(join(dir, 'b', 'bomb.png'), bombPng(100_000, 100_000))
    writeFile(join(dir, 'b', 'anim.gif'), Buffer.from('GIF89a......'))
    const webp = await encodeImage('webp', 8, 8)
    writeFile(join(dir, 'a', 'cut.webp'), webp.subarray(0, webp.length - 4))
    const ds = await openDataset(dir)
    const s = ds.summary
    expect(s.total).toBe(21)
    expect(warning(s, 'empty_file')).toMatchObject({ count: 1, examples: ['a/zero.png'] })
    expect(warning(s, 'truncated')?.count).toBe(3)
    expect(warning(s, 'not_an_image')).toMatchObject({ count: 1, examples: ['b/text.png'] })
    expect(warning(s, 'extension_mismatch')?.examples[0]).toMatch(/a\/really-jpeg\.png \(JPEG content\)/)
    expect(warning(s, 'too_many_pixels')).toMatchObject({ count: 1, examples: ['b/bomb.png'] })
    expect(warning(s, 'unsupported_format')).toMatchObject({ count: 1, examples: ['b/anim.gif'] })
    expect(s.skipped).toBe(7)
    for (const w of s.warnings) expect(w.message).toMatch(/\d|images/)
    // The mislabelled JPEG is usable: it decodes by content.
    const idx = Array.from({ length: ds.split('all').count }, (_, i) => i).find((i) => ds.split('all').file(i) === 'a/really-jpeg.png')!
    const batch = await ds.split('all').readBatch([idx], { width: 8, height: 8, channels: 3 })
    expect(batch.failed).toEqual([])
  })

  it('refuses to decode past the pixel limit even when asked directly', async () => {
    await writeClassFolder(dir, ['a', 'b'], 2, 40)
    const ds = await openDataset(dir, { maxPixels: 40 * 40 })
    expect(ds.summary.total).toBe(4)
    await expectBadInput(() => openDataset(dir, { maxPixels: 1000 }), /none of the 4 images/, /decompression limit/)
  })

  it('survives symlink loops, dead links and links to ancestors without hanging', async () => {
    await writeClassFolder(dir, ['a', 'b'], 2)
    symlinkSync('..', join(dir, 'a', 'up'))
    symlinkSync(join(dir, 'b'), join(dir, 'b', 'self'))
    symlinkSync('loop2.png', join(dir, 'a', 'loop1.png'))
    symlinkSync('loop1.png', join(dir, 'a', 'loop2.png'))
    symlinkSync('/nonexistent/file.png', join(dir, 'b', 'dead.png'))
    const s = (await openDataset(dir)).summary
    expect(s.total).toBe(4)
    expect(warning(s, 'symlink_loop')?.count).toBe(4)
    expect(warning(s, 'broken_link')).toMatchObject({ count: 1, examples: ['b/dead.png'] })
  })

  it('does not block on a FIFO named like an image', async () => {
    await writeClassFolder(dir, ['a', 'b'], 2)
    execFileSync('mkfifo', [join(dir, 'a', 'pipe.png')])
    const s = (await openDataset(dir)).summary
    expect(s.total).toBe(4)
    expect(warning(s, 'not_a_file')).toMatchObject({ count: 1, examples: ['a/pipe.png'] })
  })

  it('leaves out a class folder whose images are all bad, and warns about stray images', async () => {
    await writeClassFolder(dir, ['a', 'b'], 2)
    writeFile(join(dir, 'c', '1.png'), '')
    mkdirSync(join(dir, 'd'))
    await writeImage(join(dir, 'stray.png'))
    const s = (await openDataset(dir)).summary
    expect(s.classes.map((c) => c.name)).toEqual(['a', 'b'])
    expect(warning(s, 'empty_class')?.examples).toEqual(['c', 'd'])
    expect(warning(s, 'stray_images')?.examples).toEqual(['stray.png'])
  })

  it('reports images of different sizes and picks the most common', async () => {
    await writeClassFolder(dir, ['a', 'b'], 3, 10)
    await writeImage(join(dir, 'a', 'big.png'), 'png', 30, 20)
    const s = (await openDataset(dir)).summary
    expect(s.image).toMatchObject({ width: 10, height: 10, uniform: false })
    expect(s.image.sizes).toEqual([{ width: 10, height: 10, count: 6 }, { width: 30, height: 20, count: 1 }])
    expect(warning(s, 'mixed_sizes')).toBeDefined()
  })

  it('treats a file truncated after opening as a failed decode in its batch, not a crash', async () => {
    await writeClassFolder(dir, ['a', 'b'], 3, 16)
    const ds = await openDataset(dir)
    const split = ds.split('all')
    truncateSync(join(dir, split.file(1)!), 30)
    writeFileSync(join(dir, split.file(2)!), 'garbage')
    const batch = await split.readBatch([0, 1, 2, 3], { width: 16, height: 16, channels: 3 })
    expect([...batch.indices]).toEqual([0, 3])
    expect(batch.x.length).toBe(2 * 16 * 16 * 3)
    expect(batch.failed.map((f) => f.file)).toEqual([split.file(1), split.file(2)])
    await split.readBatch([1, 2], { width: 16, height: 16, channels: 3 })
    expect(ds.warnings().find((w) => w.code === 'decode_failed')?.count).toBe(2)
    expect([...split.failedIndices]).toEqual([1, 2])
  })

  it('names a path that does not exist and a plain file', async () => {
    await expectBadInput(() => openDataset(join(dir, 'nope')), /nope: does not exist/)
    writeFile(join(dir, 'x.txt'), 'x')
    await expectBadInput(() => openDataset(join(dir, 'x.txt')), /x\.txt: is a file, not a dataset/)
  })

  it('stops walking past the depth and entry limits, with a warning', async () => {
    let deep = join(dir, 'a')
    for (let d = 0; d < 6; d++) deep = join(deep, `d${d}`)
    await writeImage(join(deep, 'x.png'))
    for (let i = 0; i < 5; i++) await writeImage(join(dir, 'b', `${i}.png`))
    const shallow = new WalkState(new WarningCollector(), undefined, 1000, 3)
    expect(await walkFiles(join(dir, 'a'), 'a', shallow)).toEqual([])
    expect(shallow.warnings.list()[0]).toMatchObject({ code: 'walk_limit', examples: ['a/d0/d1/d2/d3'] })
    const few = new WalkState(new WarningCollector(), undefined, 3)
    expect(await walkFiles(join(dir, 'b'), 'b', few)).toHaveLength(3)
    expect(few.warnings.count('walk_limit')).toBe(1)
  })
})

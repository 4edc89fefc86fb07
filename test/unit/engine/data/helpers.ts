import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { gzipSync } from 'node:zlib'
import sharp from 'sharp'
import { expect } from 'vitest'
import { ApiError } from '../../../../src-shared/errors'

/** A fresh temporary folder; call the returned cleanup in afterEach/afterAll. */
export function tempDir(prefix = 'fl-data-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Deterministic pixels: a gradient shifted by `seed`, so images differ and can be checked. */
export function pixels(width: number, height: number, channels: number, seed = 0): Buffer {
  const out = Buffer.alloc(width * height * channels)
  for (let i = 0; i < out.length; i++) out[i] = (i * 7 + seed * 31) % 256
  return out
}

export type Encoding = 'png' | 'jpeg' | 'webp'

export async function encodeImage(encoding: Encoding, width = 8, height = 8, channels: 1 | 3 | 4 = 3, seed = 0): Promise<Buffer> {
  const raw = sharp(pixels(width, height, channels, seed), { raw: { width, height, channels } })
  // sharp would store one-channel input as RGB unless told the output is grey.
  const img = channels === 1 ? raw.toColourspace('b-w') : raw
  if (encoding === 'png') return img.png().toBuffer()
  if (encoding === 'jpeg') return img.jpeg({ quality: 95 }).toBuffer()
  return img.webp({ lossless: true }).toBuffer()
}

export function writeFile(path: string, data: Buffer | string): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, data)
}

export async function writeImage(path: string, encoding: Encoding = 'png', width = 8, height = 8, channels: 1 | 3 | 4 = 3, seed = 0): Promise<void> {
  writeFile(path, await encodeImage(encoding, width, height, channels, seed))
}

/** An image folder root/<class>/<n>.png with `perClass` images per class. */
export async function writeClassFolder(root: string, classes: string[], perClass: number, size = 8): Promise<void> {
  for (const [c, name] of classes.entries()) for (let i = 0; i < perClass; i++) await writeImage(join(root, name, `${i}.png`), 'png', size, size, 3, c * 100 + i)
}

/** An IDX file: magic (ubyte, dims), sizes, then data. */
export function idxBytes(dims: number[], data: Uint8Array, magic = 0x0800 | dims.length): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length)
  header.writeUInt32BE(magic, 0)
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i))
  return Buffer.concat([header, Buffer.from(data)])
}

/** An MNIST-style train/t10k pair of tiny images and labels, optionally gzipped. */
export function writeIdxPair(dir: string, split: 'train' | 't10k', labels: number[], options: { rows?: number; cols?: number; gz?: boolean; prefix?: string } = {}): { images: string; labels: string } {
  const rows = options.rows ?? 4
  const cols = options.cols ?? 5
  const px = new Uint8Array(labels.length * rows * cols)
  for (let i = 0; i < px.length; i++) px[i] = (i * 13) % 256
  const ext = options.gz ? '.gz' : ''
  const pack = (b: Buffer): Buffer => (options.gz ? gzipSync(b) : b)
  const prefix = options.prefix ?? ''
  const images = join(dir, `${prefix}${split}-images-idx3-ubyte${ext}`)
  const labelsPath = join(dir, `${prefix}${split}-labels-idx1-ubyte${ext}`)
  writeFile(images, pack(idxBytes([labels.length, rows, cols], px)))
  writeFile(labelsPath, pack(idxBytes([labels.length], Uint8Array.from(labels))))
  return { images, labels: labelsPath }
}

/** Runs `fn`, expecting an ApiError('bad_input') whose one-line message matches all patterns. */
export async function expectBadInput(fn: () => Promise<unknown>, ...patterns: (string | RegExp)[]): Promise<ApiError> {
  let caught: unknown
  try {
    await fn()
  } catch (err) {
    caught = err
  }
  expect(caught, 'expected the call to fail').toBeInstanceOf(ApiError)
  const err = caught as ApiError
  expect(err.code).toBe('bad_input')
  expect(err.message).not.toContain('\n')
  for (const p of patterns) expect(err.message).toMatch(p)
  return err
}

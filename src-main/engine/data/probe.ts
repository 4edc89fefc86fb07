import { constants } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { extname } from 'node:path'
import sharp from 'sharp'
import type { WarningCode } from '../../../src-shared/dataset'

export type ImageEncoding = 'png' | 'jpeg' | 'webp'

export interface ImageInfo {
  encoding: ImageEncoding
  width: number
  height: number
  /** Channels as stored, alpha included (1–4). */
  channels: number
}

export type ProbeResult =
  | { ok: true; info: ImageInfo; /** the extension names another format than the content */ mismatch: boolean }
  | { ok: false; code: WarningCode; detail: string }

export const imageExtensions = new Set(['.png', '.jpg', '.jpeg', '.webp'])
const extensionEncoding: Record<string, ImageEncoding> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp' }
/** Image formats we recognise but do not read, so the message can say "unsupported", not "not an image". */
const otherImageExtensions = new Set(['.gif', '.bmp', '.tif', '.tiff', '.heic', '.heif', '.avif', '.svg', '.ppm', '.pgm', '.jp2'])

export function isImageName(name: string): boolean {
  return imageExtensions.has(extname(name).toLowerCase())
}
export function isOtherImageName(name: string): boolean {
  return otherImageExtensions.has(extname(name).toLowerCase())
}

const HEAD_BYTES = 64
/** A truncated JPEG's tail is entropy-coded data, where 0xFF is never followed by 0xD9. */
const TAIL_BYTES = 1024

function sniff(head: Buffer): ImageEncoding | 'other-image' | null {
  if (head.length >= 8 && head.readUInt32BE(0) === 0x89504e47 && head.readUInt32BE(4) === 0x0d0a1a0a) return 'png'
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg'
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'webp'
  const text = head.toString('latin1', 0, 4)
  if (text.startsWith('GIF8') || text.startsWith('BM') || text === 'II*\0' || text === 'MM\0*') return 'other-image'
  if (head.length >= 12 && head.toString('latin1', 4, 8) === 'ftyp') return 'other-image'
  return null
}

function isComplete(encoding: ImageEncoding, tail: Buffer, head: Buffer, size: number): boolean {
  if (encoding === 'png') return tail.includes('IEND', Math.max(0, tail.length - 64), 'latin1')
  if (encoding === 'jpeg') {
    for (let i = tail.length - 2; i >= 0; i--) if (tail[i] === 0xff && tail[i + 1] === 0xd9) return true
    return false
  }
  return size >= head.readUInt32LE(4) + 8
}

const pngChannels: Record<number, number> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 }

async function readAt(handle: FileHandle, length: number, position: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length)
  const { bytesRead } = await handle.read(buffer, 0, length, position)
  return buffer.subarray(0, bytesRead)
}

function openErrorCode(err: unknown): WarningCode {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing_file'
  if (code === 'ELOOP') return 'symlink_loop'
  if (code === 'EISDIR') return 'not_a_file'
  return 'unreadable'
}

/**
 * Checks one image file without decoding its pixels: that it is a regular, non-empty file,
 * what its content really is, that it ends where its format says, and that its dimensions
 * are within the pixel limit. Reads a few dozen bytes from each end.
 */
export async function probeImage(abs: string, maxPixels: number): Promise<ProbeResult> {
  let handle: FileHandle
  try {
    // O_NONBLOCK: opening a FIFO that happens to be named x.png must not wait for a writer.
    handle = await open(abs, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (err) {
    return { ok: false, code: openErrorCode(err), detail: (err as Error).message }
  }
  try {
    const st = await handle.stat()
    if (!st.isFile()) return { ok: false, code: 'not_a_file', detail: 'not a regular file' }
    if (st.size === 0) return { ok: false, code: 'empty_file', detail: 'the file is empty (0 bytes)' }
    const head = await readAt(handle, Math.min(HEAD_BYTES, st.size), 0)
    const encoding = sniff(head)
    if (encoding === 'other-image') return { ok: false, code: 'unsupported_format', detail: 'not PNG, JPEG or WebP' }
    if (encoding === null) return { ok: false, code: 'not_an_image', detail: 'the content is not a PNG, JPEG or WebP image' }
    const tailLength = Math.min(TAIL_BYTES, st.size)
    const tail = await readAt(handle, tailLength, st.size - tailLength)
    if (!isComplete(encoding, tail, head, st.size)) return { ok: false, code: 'truncated', detail: `the ${encoding.toUpperCase()} data stops before its end marker` }
    const info = await dimensions(encoding, head, abs)
    if (!info) return { ok: false, code: 'corrupt', detail: 'the image header cannot be read' }
    if (info.width * info.height > maxPixels) {
      return { ok: false, code: 'too_many_pixels', detail: `the header claims ${info.width}×${info.height} pixels, over the limit of ${maxPixels}` }
    }
    const expected = extensionEncoding[extname(abs).toLowerCase()]
    return { ok: true, info, mismatch: expected !== undefined && expected !== encoding }
  } catch (err) {
    return { ok: false, code: 'unreadable', detail: (err as Error).message }
  } finally {
    await handle.close()
  }
}

async function dimensions(encoding: ImageEncoding, head: Buffer, abs: string): Promise<ImageInfo | null> {
  if (encoding === 'png') {
    // The IHDR chunk is always first, at a fixed offset; no need to ask a decoder.
    if (head.length < 26 || head.toString('latin1', 12, 16) !== 'IHDR') return null
    const width = head.readUInt32BE(16)
    const height = head.readUInt32BE(20)
    const channels = pngChannels[head[25]]
    if (!width || !height || !channels) return null
    return { encoding, width, height, channels }
  }
  try {
    const meta = await sharp(abs, { limitInputPixels: false }).metadata()
    if (!meta.width || !meta.height) return null
    return { encoding, width: meta.width, height: meta.height, channels: meta.channels ?? 3 }
  } catch {
    return null
  }
}

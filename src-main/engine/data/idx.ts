import { readFile, stat } from 'node:fs/promises'
import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import { ApiError } from '../../../src-shared/errors'
import { DATA_LIMITS } from './limits'

const gunzipAsync = promisify(gunzip)

/** IDX type code 0x08: unsigned bytes, the only element type MNIST-family files use. */
const UBYTE = 0x08

export interface IdxImages {
  count: number
  rows: number
  cols: number
  /** count×rows×cols bytes, row-major. */
  pixels: Uint8Array
}

function fail(file: string, problem: string, action: string): never {
  throw new ApiError('bad_input', `${file}: ${problem}; ${action}`)
}

/** Reads an IDX file whole, inflating it if it is gzip-compressed (checked by content, not name). */
export async function readIdxBytes(file: string, maxBytes: number = DATA_LIMITS.maxIdxBytes): Promise<Buffer> {
  let raw: Buffer
  try {
    const info = await stat(file)
    if (!info.isFile()) fail(file, 'not a regular file', 'point to the IDX file itself')
    if (info.size > maxBytes) fail(file, `${info.size} bytes is more than the ${maxBytes}-byte limit for IDX files`, 'split the file or use an image folder')
    raw = await readFile(file)
  } catch (err) {
    if (err instanceof ApiError) throw err
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EACCES' || code === 'EPERM') fail(file, 'permission denied', 'make the file readable')
    fail(file, `cannot be read (${code ?? (err as Error).message})`, 'check the file exists and is readable')
  }
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return await gunzipAsync(raw, { maxOutputLength: maxBytes })
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      const why = code === 'ERR_BUFFER_TOO_LARGE' ? `inflates to more than ${maxBytes} bytes` : 'is a damaged or incomplete gzip file'
      fail(file, why, 'download it again')
    }
  }
  return raw
}

function header(file: string, bytes: Buffer, dims: number, what: string): number[] {
  const expected = (UBYTE << 8) | dims
  if (bytes.length < 4) fail(file, `only ${bytes.length} bytes, too short for an IDX ${what} file`, 'download it again')
  const magic = bytes.readUInt32BE(0)
  if (magic !== expected) {
    const hint = (magic & 0xffff) === ((UBYTE << 8) | (dims === 3 ? 1 : 3)) ? `it looks like an IDX ${dims === 3 ? 'labels' : 'images'} file` : 'it is not an IDX file of unsigned bytes'
    fail(file, `wrong magic number 0x${magic.toString(16).padStart(8, '0')} (expected 0x${expected.toString(16).padStart(8, '0')} for ${what}); ${hint}`, 'check the images and labels files are not swapped or damaged')
  }
  if (bytes.length < 4 + 4 * dims) fail(file, `only ${bytes.length} bytes, too short for an IDX ${what} header`, 'download it again')
  return Array.from({ length: dims }, (_, i) => bytes.readUInt32BE(4 + 4 * i))
}

/** Parses and checks an idx3-ubyte images file: magic number, and length = header × dimensions. */
export function parseIdxImages(file: string, bytes: Buffer): IdxImages {
  const [count, rows, cols] = header(file, bytes, 3, 'images')
  if (rows === 0 || cols === 0) fail(file, `the header says the images are ${rows}×${cols}`, 'download it again')
  const expectedLength = 16 + count * rows * cols
  if (bytes.length !== expectedLength) {
    fail(file, `the header says ${count} images of ${rows}×${cols} (${expectedLength} bytes) but the file has ${bytes.length} bytes`, `the file is ${bytes.length < expectedLength ? 'truncated' : 'damaged'}: download it again`)
  }
  return { count, rows, cols, pixels: new Uint8Array(bytes.buffer, bytes.byteOffset + 16, count * rows * cols) }
}

/** Parses and checks an idx1-ubyte labels file. */
export function parseIdxLabels(file: string, bytes: Buffer): Uint8Array {
  const [count] = header(file, bytes, 1, 'labels')
  if (bytes.length !== 8 + count) {
    fail(file, `the header says ${count} labels but the file has room for ${bytes.length - 8}`, `the file is ${bytes.length < 8 + count ? 'truncated' : 'damaged'}: download it again`)
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset + 8, count)
}

import { constants } from 'node:fs'
import { lstat, open, realpath, stat } from 'node:fs/promises'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { ApiError } from '../../../src-shared/errors'

/** Largest model description (model.json, a Keras config) read into memory. */
export const MAX_MODEL_JSON_BYTES = 64 * 1024 * 1024
/** Largest weight data of one model, all files together (ResNet-50 is about 100 MB). */
export const MAX_WEIGHT_BYTES = 2 * 1024 * 1024 * 1024
/** Largest labels or metadata file. */
export const MAX_SMALL_FILE_BYTES = 8 * 1024 * 1024

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 2 : 0)} MiB`

function kindOf(s: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean; isDirectory(): boolean }): string {
  if (s.isFIFO()) return 'a named pipe (FIFO)'
  if (s.isCharacterDevice()) return 'a character device'
  if (s.isBlockDevice()) return 'a block device'
  if (s.isSocket()) return 'a socket'
  if (s.isDirectory()) return 'a folder'
  return 'not a regular file'
}

/** True when `child` is `root` or lies below it (both already resolved). */
export function isInside(root: string, child: string): boolean {
  const rel = relative(root, child)
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))
}

export interface ModelFileOptions {
  /** What the file is, for messages ("model.json", "weight file"). */
  what: string
  maxBytes: number
  /** The file, after following links, must lie inside this folder. */
  within?: string
  /** Mentioned in the error when the file is missing. */
  missingHint?: string
}

/**
 * Checks a file before anything is read: it exists, is a regular file (not a FIFO, device,
 * socket or folder, also behind a symbolic link), lies inside `within` when given, and is no
 * larger than the limit. Returns its resolved path and size. Never reads the content.
 */
export async function checkModelFile(path: string, options: ModelFileOptions): Promise<{ real: string; size: number }> {
  const where = resolve(path)
  if (options.within !== undefined && !isInside(resolve(options.within), where)) {
    throw new ApiError('bad_input', `${options.what} ${where} lies outside the model folder ${resolve(options.within)}; a model may only refer to files in its own folder`)
  }
  try {
    await lstat(where)
  } catch {
    throw new ApiError('bad_input', `${options.what} ${where} is missing${options.missingHint ? `; ${options.missingHint}` : ''}`)
  }
  let real: string
  try {
    real = await realpath(where)
  } catch {
    throw new ApiError('bad_input', `${options.what} ${where} is a symbolic link to nothing; point to the real file`)
  }
  if (options.within !== undefined) {
    const root = await realpath(options.within).catch(() => resolve(options.within as string))
    if (!isInside(root, real)) {
      throw new ApiError('bad_input', `${options.what} ${where} lies outside the model folder ${root}; a model may only refer to files in its own folder`)
    }
  }
  const info = await stat(real)
  if (!info.isFile()) throw new ApiError('bad_input', `${options.what} ${where} is ${kindOf(info)}, not a file; point to the model's own files`)
  if (info.size > options.maxBytes) {
    throw new ApiError('bad_input', `${options.what} ${where} is ${mib(info.size)}, above the limit of ${mib(options.maxBytes)} for a ${options.what}`)
  }
  return { real, size: info.size }
}

/**
 * Reads a checked file without blocking the process: opened non-blocking (a file swapped for a
 * FIFO after the check cannot stall the open), checked again on the open handle, and read only
 * up to the size it had, so a file that grows (or a device) cannot use unbounded memory.
 */
export async function readModelFile(path: string, options: ModelFileOptions): Promise<Buffer> {
  const { real, size } = await checkModelFile(path, options)
  const handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const info = await handle.stat()
    if (!info.isFile()) throw new ApiError('bad_input', `${options.what} ${resolve(path)} is ${kindOf(info)}, not a file; point to the model's own files`)
    const limit = Math.min(options.maxBytes, Math.max(size, info.size))
    const buffer = Buffer.alloc(limit)
    let at = 0
    while (at < limit) {
      const { bytesRead } = await handle.read(buffer, at, limit - at, at)
      if (bytesRead === 0) break
      at += bytesRead
    }
    return at === limit ? buffer : buffer.subarray(0, at)
  } finally {
    await handle.close()
  }
}

/**
 * Parses a model's JSON. The error gives the position only: the file may not be a model at
 * all, and its content must not be echoed (V8's own message quotes the text).
 */
export function parseModelJson(text: Buffer, path: string, what: string): unknown {
  try {
    return JSON.parse(text.toString('utf8')) as unknown
  } catch (err) {
    const position = /position (\d+)/.exec(err instanceof Error ? err.message : '')?.[1]
    const where = position === undefined ? (text.length === 0 ? ' (the file is empty)' : '') : ` (the error is at byte ${position})`
    throw new ApiError('bad_input', `${what} ${path} is not valid JSON${where}; point to the file written by the model's exporter`)
  }
}

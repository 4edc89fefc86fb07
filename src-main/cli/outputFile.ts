/**
 * The output file of `featurelens export` and `featurelens plot`. The bytes go to a temporary
 * file in the target folder, which is renamed over the target only when complete: a full disk
 * or a crash leaves no partial file. The target must be a regular file or nothing: a FIFO or a
 * device is refused (opening one would block or write elsewhere), a symbolic link is never
 * followed, and an existing file is replaced only with --force.
 */
import { randomBytes } from 'node:crypto'
import { accessSync, constants, existsSync, lstatSync, statSync, type Stats } from 'node:fs'
import { open, rename, unlink, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { ApiError } from '../../src-shared/errors'

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO'
  if (stats.isCharacterDevice()) return 'a character device'
  if (stats.isBlockDevice()) return 'a block device'
  if (stats.isSocket()) return 'a socket'
  return 'something other than a file'
}

function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message
}

const REASONS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENAMETOOLONG: 'the name is too long'
}

/** Why `path` may not be written, or null when it may (nothing there, or a file with --force). */
function targetProblem(path: string, force: boolean): string | null {
  let stats: Stats
  try {
    stats = lstatSync(path)
  } catch (err) {
    return errorCode(err) === 'ENOENT' ? null : `cannot check ${path}: ${errorCode(err)}`
  }
  if (stats.isSymbolicLink()) return `${path} is a symbolic link; featurelens does not write through links: remove the link or choose another name`
  if (stats.isDirectory()) return `${path} is a folder; give a file name`
  if (!stats.isFile()) return `${path} is ${kindOf(stats)}, not a regular file; give the name of a file`
  if (!force) return `${path} already exists; add --force to replace it`
  return null
}

/** Checks the output before any rendering: a name, an existing writable folder, a target that may be written. */
export function checkOutput(out: string, force: boolean): string {
  if (out.trim() === '') throw new ApiError('bad_input', '--out is empty; give a file name')
  const path = resolve(out)
  const folder = dirname(path)
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new ApiError('bad_input', `--out ${out}: the folder ${folder} does not exist; create it first or choose another path`)
  try {
    accessSync(folder, constants.W_OK)
  } catch {
    throw new ApiError('bad_input', `--out ${out}: the folder ${folder} is read-only; choose a folder you can write to`)
  }
  const problem = targetProblem(path, force)
  if (problem) throw new ApiError('bad_input', problem)
  return path
}

/** Writes the file through a temporary one in the same folder; on any failure nothing is left behind. */
export async function writeOutput(path: string, bytes: Uint8Array, force: boolean): Promise<void> {
  const temp = join(dirname(path), `.${basename(path).slice(0, 200)}.${randomBytes(4).toString('hex')}.partial`)
  let handle: FileHandle | null = null
  try {
    // wx: created here and now, so never a link or a file that was already there.
    handle = await open(temp, 'wx', 0o666)
    await handle.writeFile(bytes)
    await handle.sync()
    await handle.close()
    handle = null
    // Checked again: something may have appeared at the target while the figure was drawn.
    const problem = targetProblem(path, force)
    if (problem) throw new ApiError('bad_input', problem)
    await rename(temp, path)
  } catch (err) {
    await handle?.close().catch(() => undefined)
    await unlink(temp).catch(() => undefined)
    if (err instanceof ApiError) throw err
    const code = errorCode(err)
    throw new ApiError('bad_input', `cannot write ${path}: ${REASONS[code] ? `${REASONS[code]} (${code})` : code}; nothing was written`)
  }
}

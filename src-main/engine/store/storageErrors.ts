import { ApiError } from '../../../src-shared/errors'

/** The error code of a Node file-system error (ENOSPC…) or a SQLite error (SQLITE_FULL…). */
export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : ''
}

const FULL = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL'])
const DENIED = new Set(['EACCES', 'EPERM'])
const READ_ONLY = new Set(['EROFS', 'SQLITE_READONLY', 'SQLITE_READONLY_DIRECTORY', 'SQLITE_READONLY_DBMOVED', 'SQLITE_READONLY_RECOVERY', 'SQLITE_READONLY_CANTINIT', 'SQLITE_PERM', 'SQLITE_AUTH'])
const DAMAGED = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_SEQUENCE', 'SQLITE_CORRUPT_VTAB'])

export function isDiskFull(err: unknown): boolean {
  return FULL.has(errorCode(err))
}

/** The advice for a workspace database that cannot be read. */
export function damagedAdvice(path: string): string {
  return `Restore ${path} from a backup, or move it aside (rename it) and start a new workspace there; choose another workspace with --workspace DIR meanwhile.`
}

/**
 * Turns a storage failure into an ApiError that names the path and says what to do, or returns
 * null for errors that are not about storage. `doing` reads like "writing the token file".
 */
export function storageFailure(err: unknown, path: string, doing: string): ApiError | null {
  if (err instanceof ApiError) return err
  const code = errorCode(err)
  const where = (err as { path?: unknown }).path
  const target = typeof where === 'string' && where ? where : path
  if (FULL.has(code)) return new ApiError('unavailable', `${doing} failed: the disk holding ${target} is full. Free some space there (or choose another workspace with --workspace DIR) and try again.`)
  if (READ_ONLY.has(code)) return new ApiError('unavailable', `${doing} failed: ${target} is read-only or not writable (${code}). Make it writable, or choose another workspace with --workspace DIR.`)
  if (DENIED.has(code)) return new ApiError('unavailable', `${doing} failed: permission denied for ${target} (${code}). Check its permissions, or choose another folder.`)
  if (DAMAGED.has(code)) return new ApiError('bad_input', `${doing} failed: the workspace database ${path} is damaged (${(err as Error).message}). ${damagedAdvice(path)}`)
  if (code === 'SQLITE_CANTOPEN') return new ApiError('unavailable', `${doing} failed: cannot open ${target}. Check that its folder exists and is writable, or choose another workspace with --workspace DIR.`)
  if (code.startsWith('SQLITE_IOERR')) return new ApiError('unavailable', `${doing} failed: the disk reported an error for ${target} (${code}). Check that the disk is not full and is writable, then try again.`)
  if (code === 'ENOTDIR' || code === 'EEXIST') return new ApiError('bad_input', `${doing} failed: ${target}, or a folder on its path, is a file where a folder is expected; check the path.`)
  if (code === 'ENOENT') return new ApiError('not_found', `${doing} failed: ${target} does not exist.`)
  return null
}

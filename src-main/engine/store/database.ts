import Database from 'better-sqlite3'
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs'
import { ApiError } from '../../../src-shared/errors'
import { migrations } from './migrations'
import { damagedAdvice, storageFailure } from './storageErrors'
import { createPrivateFile, makePrivate } from './workspace'

export type WorkspaceDb = Database.Database

/** Marks a SQLite file as a Featurelens workspace ('FLNS'), so a foreign database is never migrated. */
export const APPLICATION_ID = 0x464c4e53

const SQLITE_MAGIC = 'SQLite format 3\u0000'

function readHeader(path: string): string {
  const fd = openSync(path, 'r')
  try {
    const buf = Buffer.alloc(16)
    const n = readSync(fd, buf, 0, 16, 0)
    return buf.subarray(0, n).toString('latin1')
  } finally {
    closeSync(fd)
  }
}

export interface OpenOptions {
  readonly?: boolean
  /** Every commit reaches the disk before it returns (the training job's epochs survive a power cut). */
  durable?: boolean
}

/**
 * Opens (or creates) the workspace database: WAL mode, quick_check on open, migrations keyed on
 * user_version. A corrupt or foreign file gets a clear error and is left untouched.
 */
export function openWorkspaceDb(path: string, options: OpenOptions = {}): WorkspaceDb {
  try {
    return openChecked(path, options)
  } catch (err) {
    throw storageFailure(err, path, 'opening the workspace database') ?? err
  }
}

function openChecked(path: string, options: OpenOptions): WorkspaceDb {
  if (!options.readonly) {
    // Private to the user: the database and its -wal and -shm files (SQLite gives them the database's mode).
    createPrivateFile(path)
    for (const file of [path, `${path}-wal`, `${path}-shm`]) makePrivate(file, 0o600)
  }
  const exists = existsSync(path) && statSync(path).size > 0
  if (exists && readHeader(path) !== SQLITE_MAGIC) {
    throw new ApiError('bad_input', `${path} is not a SQLite database. Move it away or choose another workspace with --workspace DIR.`)
  }
  const db: WorkspaceDb = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false })
  try {
    checkIdentity(db, path)
    checkIntegrity(db, path)
    if (!options.readonly) {
      // Deleting a run must give its space back: incremental vacuum needs this set while empty.
      if ((db.pragma('user_version', { simple: true }) as number) === 0) db.pragma('auto_vacuum = INCREMENTAL')
      db.pragma('journal_mode = WAL')
      db.pragma('foreign_keys = ON')
      db.pragma('busy_timeout = 5000')
      if (options.durable) db.pragma('synchronous = FULL')
      migrate(db, path)
    }
    return db
  } catch (err) {
    db.close()
    throw err
  }
}

function checkIdentity(db: WorkspaceDb, path: string): void {
  const appId = db.pragma('application_id', { simple: true }) as number
  if (appId === APPLICATION_ID) return
  const tables = db.prepare(`SELECT count(*) AS n FROM sqlite_schema`).get() as { n: number }
  if (appId !== 0 || tables.n > 0) {
    throw new ApiError(
      'bad_input',
      `${path} is a SQLite database that does not belong to Featurelens; it was left untouched. Choose another workspace with --workspace DIR.`
    )
  }
}

/** quick_check, summarised: the number of problems found and the first one, never the whole list. */
function checkIntegrity(db: WorkspaceDb, path: string): void {
  let problems: string[]
  try {
    problems = (db.pragma('quick_check(100)') as { quick_check: string }[]).map((row) => row.quick_check)
  } catch (err) {
    throw new ApiError('bad_input', `the workspace database ${path} is damaged (${(err as Error).message}); it was left untouched. ${damagedAdvice(path)}`)
  }
  if (problems.length === 1 && problems[0] === 'ok') return
  const count = problems.length >= 100 ? 'at least 100 problems' : problems.length === 1 ? '1 problem' : `${problems.length} problems`
  const first = problems[0].split('\n')[0].slice(0, 160)
  throw new ApiError('bad_input', `the workspace database ${path} is damaged: its integrity check found ${count} (first: ${first}); it was left untouched. ${damagedAdvice(path)}`)
}

function migrate(db: WorkspaceDb, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number
  if (version > migrations.length) {
    throw new ApiError('bad_input', `workspace ${path} was written by a newer Featurelens (schema ${version}, this version knows ${migrations.length}). Update Featurelens.`)
  }
  for (let v = version; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v])
      db.pragma(`user_version = ${v + 1}`)
      if (v === 0) db.pragma(`application_id = ${APPLICATION_ID}`)
    })()
  }
}

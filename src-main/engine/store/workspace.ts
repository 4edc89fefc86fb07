import { accessSync, chmodSync, closeSync, constants, mkdirSync, openSync, statSync } from 'node:fs'
import { ApiError } from '../../../src-shared/errors'
import { storageFailure } from './storageErrors'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

export type WorkspaceSource = 'flag' | 'env' | 'user-data'

export interface WorkspaceLocation {
  dir: string
  database: string
  source: WorkspaceSource
}

/**
 * The per-user data directory. It matches Electron's app.getPath('userData') for an app
 * named Featurelens, so the desktop app, the CLI and the web host share one workspace.
 */
export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Featurelens')
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Featurelens')
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'Featurelens')
}

/** The workspace comes from --workspace, then FEATURELENS_WORKSPACE, then the user-data directory. */
export function resolveWorkspace(flag?: string | null, env: NodeJS.ProcessEnv = process.env): WorkspaceLocation {
  let dir: string
  let source: WorkspaceSource
  if (flag) {
    dir = resolve(flag)
    source = 'flag'
  } else if (env.FEATURELENS_WORKSPACE) {
    dir = resolve(env.FEATURELENS_WORKSPACE)
    source = 'env'
  } else {
    dir = join(userDataDir(env), 'workspace')
    source = 'user-data'
  }
  return { dir, database: join(dir, 'featurelens.sqlite'), source }
}

/**
 * Narrows the mode of a file or folder of ours to `mode` (0700, 0600) when it is wider: the
 * workspace holds the user's models, data and the web host's token. Not on Windows (no modes),
 * never on something another user owns, and best effort: a file system without modes is left as it is.
 */
export function makePrivate(path: string, mode: number): void {
  if (process.platform === 'win32') return
  const info = statSync(path, { throwIfNoEntry: false })
  if (!info || info.uid !== process.getuid?.() || (info.mode & 0o777 & ~mode) === 0) return
  try {
    chmodSync(path, mode)
  } catch {
    // A file system without modes (or mounted read-only): nothing to narrow, and no reason to refuse the workspace.
  }
}

/** Creates the database file 0600 before SQLite does (it gives its -wal and -shm files the same mode). */
export function createPrivateFile(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
}

/** Creates the workspace folder (0700) if needed; a file in its place or a read-only folder is named. */
export function ensureWorkspaceDir(location: WorkspaceLocation): void {
  const doing = 'opening the workspace'
  try {
    const info = statSync(location.dir, { throwIfNoEntry: false })
    if (info && !info.isDirectory()) throw new ApiError('bad_input', `${doing} failed: ${location.dir} is a file, not a folder. Choose a folder with --workspace DIR.`)
    if (!info) mkdirSync(location.dir, { recursive: true, mode: 0o700 })
    // A folder the user chose keeps its mode; the default one is ours (older versions made it 0755).
    else if (location.source === 'user-data') makePrivate(location.dir, 0o700)
    accessSync(location.dir, constants.W_OK)
  } catch (err) {
    throw storageFailure(err, location.dir, doing) ?? err
  }
}

import { mkdirSync } from 'node:fs'
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

export function ensureWorkspaceDir(location: WorkspaceLocation): void {
  mkdirSync(location.dir, { recursive: true })
}

import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ApiError } from '../../src-shared/errors'

export const projectRoot = new URL('../..', import.meta.url).pathname

/** Builds the renderer once when the build is missing, so `featurelens serve` works after npm ci. */
export function ensureRendererBuilt(rendererDir: string, log: (line: string) => void): void {
  if (existsSync(join(rendererDir, 'index.html'))) return
  log('Building the user interface (first start only)…')
  const cli = join(projectRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js')
  const result = spawnSync(process.execPath, [cli, 'build'], { cwd: projectRoot, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
  if (result.status !== 0 || !existsSync(join(rendererDir, 'index.html'))) {
    const detail = (result.stderr ?? '').trim().split('\n').slice(-3).join(' ')
    throw new ApiError('unavailable', `could not build the user interface (npm run build): ${detail || 'unknown error'}`)
  }
}

import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)

/** The Electron executable, or a reason why the desktop window cannot open here. */
export function electronAvailability() {
  let dir
  try {
    dir = dirname(require.resolve('electron/package.json'))
  } catch {
    return { binary: null, reason: 'the electron package is not installed' }
  }
  const pathFile = join(dir, 'path.txt')
  const binary = existsSync(pathFile) ? join(dir, 'dist', readFileSync(pathFile, 'utf8').trim()) : null
  if (!binary || !existsSync(binary)) return { binary: null, reason: "Electron's binary is not installed (its download is not reachable from this machine)" }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { binary, reason: 'there is no display (DISPLAY is not set)' }
  return { binary, reason: null }
}

// Fetches Electron's binary when the network allows it. Electron's own install script downloads
// it from outside the npm registry; on machines that reach only the registry that fails, and
// Featurelens then runs in the browser instead (`npm start` says so). Never fails the install.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

function electronDir() {
  try {
    return dirname(require.resolve('electron/package.json'))
  } catch {
    return null
  }
}

const dir = electronDir()
if (!dir) process.exit(0)
const pathFile = join(dir, 'path.txt')
if (existsSync(pathFile) && existsSync(join(dir, 'dist', readFileSync(pathFile, 'utf8').trim()))) process.exit(0)
if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  console.log('featurelens: skipped Electron binary download (ELECTRON_SKIP_BINARY_DOWNLOAD); `npm start` will serve the UI in a browser.')
  process.exit(0)
}
const result = spawnSync(process.execPath, [join(dir, 'install.js')], { cwd: dir, encoding: 'utf8', timeout: 180_000 })
if (result.status === 0) process.exit(0)
const lines = `${result.stderr ?? ''}\n${result.stdout ?? ''}`.split('\n').map((l) => l.trim()).filter(Boolean)
const reason = lines.find((l) => /Error|ENOTFOUND|ECONN|timed out|EAI_AGAIN/i.test(l)) ?? (result.error ? result.error.message : `exit ${result.status}`)
console.log(`featurelens: Electron's binary could not be downloaded (${reason.slice(0, 160)}); \`npm start\` will serve the UI in a browser instead.`)

// `npm start`: builds the UI, then opens the desktop window when Electron can run here and
// otherwise serves the same UI on 127.0.0.1 and prints the URL to open.
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { electronAvailability } from './electronBinary.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const build = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
if (build.status !== 0) {
  console.error('featurelens: building the UI failed (see above).')
  process.exit(1)
}

const passThrough = process.argv.slice(2)
const { binary, reason } = electronAvailability()
const child = reason
  ? (console.log(`featurelens: opening in the browser because ${reason}.`),
    spawn(process.execPath, [join(root, 'bin', 'featurelens.mjs'), 'serve', ...passThrough], { cwd: root, stdio: 'inherit' }))
  : spawn(binary, [root, ...passThrough], { cwd: root, stdio: 'inherit', env: { ...process.env, npm_node_execpath: process.execPath } })

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code) => process.exit(code ?? 0))

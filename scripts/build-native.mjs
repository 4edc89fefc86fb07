// Builds the native training kernels (native/, C++ via node-gyp) for this machine's CPU. Run by
// `npm install`; never fails the install: without them training uses the wasm kernels, slower.
import { spawnSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const native = join(root, 'native')

function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    process.env.npm_execpath && join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')
  ]
  return candidates.find((c) => c && existsSync(c)) ?? null
}

// node-gyp downloads Node's headers unless told where they are; this machine may reach only
// the npm registry, so point it at the headers installed with Node when there are any.
function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir
  const guess = resolve(dirname(process.execPath), '..')
  return existsSync(join(guess, 'include', 'node', 'node_api.h')) ? guess : null
}

const gyp = nodeGyp()
const say = (line) => console.log(`featurelens: ${line}`)
// A build from an earlier install would otherwise still be loaded.
const removeOldBuild = () => rmSync(join(native, 'build'), { recursive: true, force: true })
if (process.env.FEATURELENS_SKIP_NATIVE) {
  removeOldBuild()
  say('skipped the native kernels (FEATURELENS_SKIP_NATIVE); training uses the wasm kernels.')
  process.exit(0)
}
if (!gyp) {
  removeOldBuild()
  say("native kernels not built: node-gyp was not found (it comes with npm); training uses the wasm kernels.")
  process.exit(0)
}
const dir = nodeDir()
const result = spawnSync(process.execPath, [gyp, 'rebuild', ...(dir ? [`--nodedir=${dir}`] : [])], { cwd: native, encoding: 'utf8', timeout: 300_000 })
if (result.status === 0) {
  say('built the native training kernels (native/build/Release/featurelens_kernels.node).')
  process.exit(0)
}
const lines = `${result.stderr ?? ''}\n${result.stdout ?? ''}`.split('\n').map((l) => l.trim()).filter(Boolean)
const reason = lines.find((l) => /error|not found|ENOENT/i.test(l)) ?? (result.error ? result.error.message : `exit ${result.status}`)
removeOldBuild()
say(`native kernels not built (${reason}); training uses the wasm kernels. Building them needs a C++20 compiler, make and python3.`)

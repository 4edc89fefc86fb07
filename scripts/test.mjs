// `npm test`: lint (layering), type checks, the UI build the browser tests load, then every
// vitest suite (unit, integration, end-to-end in Chromium). Ends with one summary line.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const bin = (pkg, file) => join(root, 'node_modules', pkg, file)

function step(title, args) {
  console.log(`\n== ${title}`)
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' })
  if (result.status !== 0) {
    console.error(`\nfeaturelens tests: "${title}" failed.`)
    return false
  }
  return true
}

const extra = process.argv.slice(2)
const ok =
  step('lint', [bin('eslint', 'bin/eslint.js'), '.']) &&
  step('typecheck (node)', [bin('typescript', 'bin/tsc'), '--noEmit', '-p', 'tsconfig.node.json']) &&
  step('typecheck (web)', [bin('vue-tsc', 'bin/vue-tsc.js'), '--noEmit', '-p', 'tsconfig.web.json']) &&
  step('build', [bin('electron-vite', 'bin/electron-vite.js'), 'build'])
if (!ok) process.exit(1)

mkdirSync(join(root, 'test-results'), { recursive: true })
const report = join(root, 'test-results', 'vitest.json')
// A report left by an earlier run must not stand in for this one if vitest dies without writing one.
rmSync(report, { force: true })
const tests = step('vitest', [bin('vitest', 'vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra])
try {
  const summary = JSON.parse(readFileSync(report, 'utf8'))
  const skipped = summary.numPendingTests + summary.numTodoTests
  printSlowest(summary)
  console.log(`\nTests: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`)
  if (summary.numTotalTests === 0) {
    console.error('featurelens tests: no test ran.')
    process.exit(1)
  }
} catch {
  console.error('featurelens tests: vitest wrote no report.')
  process.exit(1)
}
process.exit(tests ? 0 : 1)

/** The slowest test files of this run, so a suite that creeps towards CI's limit is seen early (also kept in test-results/slowest.txt). */
function printSlowest(summary) {
  const files = (summary.testResults ?? [])
    .map((file) => ({ name: relative(root, file.name), seconds: (file.endTime - file.startTime) / 1000 }))
    .filter((file) => Number.isFinite(file.seconds))
    .sort((a, b) => b.seconds - a.seconds)
  const total = files.reduce((sum, file) => sum + file.seconds, 0)
  const lines = files.slice(0, 12).map((file) => `${file.seconds.toFixed(1).padStart(7)} s  ${file.name}`)
  const text = `Slowest test files (${files.length} files, ${total.toFixed(0)} s of test-file time in all):\n${lines.join('\n')}\n`
  console.log(`\n${text}`)
  writeFileSync(join(root, 'test-results', 'slowest.txt'), text)
}

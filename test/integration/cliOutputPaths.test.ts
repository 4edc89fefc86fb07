import * as tf from '@tensorflow/tfjs'
import { execFileSync } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SavedFigure } from '../../src-shared/figureSet'
import { initBackend } from '../../src-main/engine/backend/select'
import { openApi } from '../../src-main/api/openApi'
import { runCli } from '../../src-main/cli/main'
import { runFeaturelens } from '../support/cli'
import { twoRunLoss } from '../support/figures'
import { driftingWeights, storeRun } from '../support/storedRun'
import { mountTmpfs, tmpfsUnavailable, type Tmpfs } from '../support/tmpfs'
import { tempDir } from '../support/workspace'

const workspace = tempDir('fl-out-ws-')
let figureId = ''
let runId = ''

/** The CLI in this process, run in `cwd`; output captured. */
async function featurelens(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = []
  const err: string[] = []
  const before = process.cwd()
  process.chdir(cwd)
  try {
    const code = await runCli([...args, '--workspace', workspace], { out: (l) => out.push(l), err: (l) => err.push(l) })
    return { code, stdout: out.join('\n'), stderr: err.join('\n') }
  } finally {
    process.chdir(before)
  }
}

const exportArgs = (out: string, ...more: string[]): string[] => ['export', figureId, '--format', 'svg', '--out', out, ...more]
const plotArgs = (out: string, ...more: string[]): string[] => ['plot', runId, 'curves', '--format', 'csv', '--out', out, ...more]

/** Files left in a folder (a partial or temporary file would show here). */
const filesIn = (dir: string): string[] => readdirSync(dir).sort()

beforeAll(async () => {
  await initBackend()
  const api = openApi({ workspace, shell: 'web' })
  figureId = ((await api.dispatch('figures.save', { spec: twoRunLoss(), source: 'Compare' })) as SavedFigure).id
  const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1], name: 'flatten' }), tf.layers.dense({ units: 10, activation: 'softmax', name: 'predictions' })] })
  runId = storeRun(api.context.db, model, 2, driftingWeights)
  api.close()
}, 120_000)

describe('the output file of featurelens export and plot', () => {
  it('refuses --out "" instead of writing into the current folder', async () => {
    const cwd = tempDir('fl-out-empty-')
    for (const args of [exportArgs(''), plotArgs('')]) {
      const r = await featurelens(cwd, ...args)
      expect(r.code, args[0]).not.toBe(0)
      expect(r.stderr, args[0]).toMatch(/--out is empty; give a file name/)
      expect(filesIn(cwd), args[0]).toEqual([])
    }
  })

  it('refuses to overwrite an existing file without --force, and replaces it with --force', async () => {
    const dir = tempDir('fl-out-exists-')
    for (const [args, name] of [[exportArgs, 'fig.svg'], [plotArgs, 'curves.csv']] as const) {
      const path = join(dir, name)
      writeFileSync(path, 'keep me')
      const refused = await featurelens(dir, ...args(path))
      expect(refused.code).not.toBe(0)
      expect(refused.stderr).toMatch(new RegExp(`${name} already exists; add --force to replace it`))
      expect(readFileSync(path, 'utf8')).toBe('keep me')
      const forced = await featurelens(dir, ...args(path, '--force'))
      expect(forced.stderr).toBe('')
      expect(forced.code).toBe(0)
      expect(readFileSync(path, 'utf8')).not.toBe('keep me')
    }
    expect(filesIn(dir)).toEqual(['curves.csv', 'fig.svg'])
    // The default name (from the title, in the current folder) follows the same rule.
    const first = await featurelens(dir, 'export', figureId, '--format', 'csv')
    expect(first.code).toBe(0)
    const second = await featurelens(dir, 'export', figureId, '--format', 'csv')
    expect(second.stderr).toMatch(/loss-of-both-runs\.csv already exists; add --force/)
  })

  it('never writes through a symbolic link at --out, even with --force', async () => {
    const dir = tempDir('fl-out-link-')
    const outside = join(tempDir('fl-out-outside-'), 'precious.txt')
    writeFileSync(outside, 'precious')
    symlinkSync(outside, join(dir, 'fig.svg'))
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling.svg'))
    for (const name of ['fig.svg', 'dangling.svg']) {
      for (const extra of [[], ['--force']]) {
        const r = await featurelens(dir, ...exportArgs(join(dir, name), ...extra))
        expect(r.code, `${name} ${extra}`).not.toBe(0)
        expect(r.stderr).toMatch(/is a symbolic link; featurelens does not write through links/)
      }
    }
    expect(readFileSync(outside, 'utf8')).toBe('precious')
    expect(existsSync(join(dir, 'nowhere'))).toBe(false)
    expect(filesIn(dir)).toEqual(['dangling.svg', 'fig.svg'])
  })

  it('refuses a FIFO or a device at --out at once instead of hanging', () => {
    const dir = tempDir('fl-out-fifo-')
    const fifo = join(dir, 'pipe.svg')
    execFileSync('mkfifo', [fifo])
    const started = Date.now()
    const r = runFeaturelens([...exportArgs(fifo, '--force'), '--workspace', workspace], 30_000)
    expect(r.status, r.stderr).not.toBe(0)
    expect(r.stderr).toMatch(/pipe\.svg is a FIFO, not a regular file; give the name of a file/)
    expect(Date.now() - started).toBeLessThan(30_000)
    expect(lstatSync(fifo).isFIFO()).toBe(true)
    const device = runFeaturelens([...exportArgs('/dev/null', '--force'), '--workspace', workspace], 30_000)
    expect(device.stderr).toMatch(/\/dev\/null is a character device, not a regular file/)
  }, 60_000)

  it('leaves no temporary file next to a finished export', async () => {
    const dir = tempDir('fl-out-clean-')
    mkdirSync(join(dir, 'sub'))
    const r = await featurelens(dir, ...exportArgs(join(dir, 'sub', 'fig.svg')))
    expect(r.code).toBe(0)
    expect(filesIn(join(dir, 'sub'))).toEqual(['fig.svg'])
    expect(readFileSync(join(dir, 'sub', 'fig.svg'), 'utf8')).toContain('<svg')
  })
})

const noTmpfs = tmpfsUnavailable()
describe.skipIf(noTmpfs !== null)('the output file on a full disk', () => {
  let disk: Tmpfs | null = null
  afterAll(() => disk?.unmount())

  it('says the disk is full and leaves neither a partial nor an empty file', async () => {
    disk = mountTmpfs(1024)
    disk.fill(8)
    const out = join(disk.dir, 'big.png')
    const r = await featurelens(disk.dir, 'export', figureId, '--format', 'png', '--dpi', '300', '--out', out)
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/cannot write .*big\.png: the disk is full.*nothing was written/)
    expect(filesIn(disk.dir)).toEqual(['filler'])
  })
})

import * as tf from '@tensorflow/tfjs'
import { execFile } from 'node:child_process'
import { accessSync, chmodSync, constants, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Composition, SavedFigure } from '../../src-shared/figureSet'
import { initBackend } from '../../src-main/engine/backend/select'
import { openApi } from '../../src-main/api/openApi'
import { runCli } from '../../src-main/cli/main'
import { loadTensor, listTensors } from '../../src-main/engine/store/epochStore'
import { openWorkspaceDb } from '../../src-main/engine/store/database'
import { pngChunks } from '../../src-main/engine/figures/png'
import { twoRunLoss } from '../support/figures'
import { parseSvg } from '../support/parseFiles'
import { driftingWeights, storeRun } from '../support/storedRun'
import { tempDir } from '../support/workspace'

const bin = fileURLToPath(new URL('../../bin/featurelens.mjs', import.meta.url))
const workspace = tempDir('fl-figures-cli-')
const outDir = tempDir('fl-figures-out-')
let runId = ''
let figureId = ''
let compositionId = ''

/** The CLI in this process (each spawned `featurelens` pays seconds of start-up); output captured. */
async function featurelens(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = []
  const err: string[] = []
  const cwd = process.cwd()
  process.chdir(outDir)
  try {
    const code = await runCli([...args, '--workspace', workspace], { out: (l) => out.push(l), err: (l) => err.push(l) })
    return { code, stdout: out.join('\n'), stderr: err.join('\n') }
  } finally {
    process.chdir(cwd)
  }
}

/** The real `featurelens` binary, as a user runs it. */
async function spawned(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args, '--workspace', workspace], { timeout: 120_000, cwd: outDir })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

/** A folder this process cannot write to: a chmod 555 folder, or (as root, who ignores modes) /proc/sys. */
function readOnlyFolder(): string {
  const dir = join(tempDir('fl-ro-'), 'locked')
  mkdirSync(dir)
  chmodSync(dir, 0o555)
  try {
    accessSync(dir, constants.W_OK)
    return '/proc/sys'
  } catch {
    return dir
  }
}

beforeAll(async () => {
  await initBackend()
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, activation: 'relu', name: 'conv' }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ units: 10, activation: 'softmax', name: 'predictions' })
    ]
  })
  const api = openApi({ workspace, shell: 'web' })
  runId = storeRun(api.context.db, model, 2, driftingWeights)
  const figure = await api.call('figures.save', { spec: twoRunLoss(), source: 'Compare', runIds: [runId] })
  figureId = figure.id
  const other = await api.call('figures.save', { spec: { kind: 'heatmap', title: 'map', width: 3, height: 2, values: new Float32Array([0, 1, 2, 3, 4, 5]), scale: { name: 'viridis', min: 0, max: 5 } } })
  const comp = await api.call('compositions.save', {
    name: 'Two panels',
    layout: { rows: 1, cols: 2, widthIn: 8, heightIn: 3, panels: [{ figureId, row: 0, col: 0 }, { figureId: other.id, row: 0, col: 1, caption: 'The map.' }] }
  })
  compositionId = comp.id
  api.close()
}, 120_000)

describe('featurelens figures, export and plot', () => {
  it('lists the figure set and exports a figure as a 300 DPI PNG and as CSV', async () => {
    const list = await featurelens('figures', 'list', '--json')
    expect(list.code).toBe(0)
    const parsed = JSON.parse(list.stdout) as { figures: SavedFigure[]; compositions: Composition[] }
    expect(parsed.figures.map((f) => f.id)).toContain(figureId)
    expect(parsed.compositions.map((c) => c.id)).toEqual([compositionId])
    const text = await featurelens('figures', 'list')
    expect(text.stdout).toContain('Loss of both runs')

    const png = join(outDir, 'loss.png')
    const r = await spawned('export', figureId, '--format', 'png', '--dpi', '300', '--width-in', '6', '--out', png)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const bytes = readFileSync(png)
    expect((await sharp(bytes).metadata()).width).toBe(1800)
    expect(pngChunks(bytes).find((c) => c.type === 'pHYs')?.data.readUInt32BE(0)).toBe(11811)

    const px = await featurelens('export', figureId, '--format', 'png', '--dpi', '150', '--width-px', '600', '--out', join(outDir, 'small.png'))
    expect(px.code).toBe(0)
    expect((await sharp(readFileSync(join(outDir, 'small.png'))).metadata()).width).toBe(600)

    // Without --out: a file named after the title, in the current folder.
    const csv = await featurelens('export', figureId, '--format', 'csv')
    expect(csv.code).toBe(0)
    expect(readFileSync(join(outDir, 'loss-of-both-runs.csv'), 'utf8').split('\n')[1]).toBe('A train,1,1.2')
  }, 120_000)

  it('refuses bad DPI, sizes past the pixel limit, unknown ids and unwritable output folders, saying why', async () => {
    const cases: [string[], RegExp][] = [
      [['export', figureId, '--format', 'png', '--dpi', '0'], /dpi must be between 1 and 1200.*got 0/],
      [['export', figureId, '--format', 'png', '--dpi', '1300'], /dpi must be between 1 and 1200.*got 1300/],
      [['export', figureId, '--format', 'png', '--dpi', '1200', '--width-in', '50'], /exceeds the limit of 160 megapixels/],
      [['export', 'fig-unknown', '--format', 'svg'], /no figure with id "fig-unknown"/],
      [['export', figureId, '--format', 'gif'], /--format must be one of svg, png, pdf, csv/],
      [['export', figureId, '--format', 'png', '--out', join(outDir, 'missing', 'x.png')], /the folder .*missing does not exist/],
      [['export', figureId, '--format', 'png', '--out', join(readOnlyFolder(), 'x.png')], /is read-only/],
      [['plot', runId, 'histogram', '--format', 'svg'], /"histogram" is not one of curves, weights, featuremaps, filters, cka/]
    ]
    for (const [args, message] of cases) {
      const r = await featurelens(...args)
      expect(r.code, args.join(' ')).not.toBe(0)
      expect(r.stderr, args.join(' ')).toMatch(message)
      expect(r.stderr).not.toMatch(/\n\s+at /)
    }
  }, 180_000)

  it('exports a composition whose run was deleted: the panel says so and the rest is drawn', async () => {
    const svgPath = join(outDir, 'comp.svg')
    const before = await featurelens('export', '--composition', compositionId, '--format', 'svg', '--out', svgPath)
    expect(before.code).toBe(0)
    expect(parseSvg(readFileSync(svgPath, 'utf8'))).toEqual(expect.arrayContaining(['A', 'B', 'A train', 'The map.']))

    const db = openWorkspaceDb(join(workspace, 'featurelens.sqlite'))
    db.prepare('DELETE FROM runs WHERE id = ?').run(runId)
    db.close()
    const pdfPath = join(outDir, 'comp.pdf')
    const after = await featurelens('export', '--composition', compositionId, '--format', 'pdf', '--out', pdfPath)
    expect(after.code).toBe(0)
    expect(after.stderr).toMatch(new RegExp(`warning: panel 1: .*run ${runId}, which was deleted`))
    expect(readFileSync(pdfPath).subarray(0, 5).toString()).toBe('%PDF-')
    const svgAfter = await featurelens('export', '--composition', compositionId, '--format', 'svg', '--out', svgPath, '--force')
    expect(svgAfter.code).toBe(0)
    const texts = parseSvg(readFileSync(svgPath, 'utf8')).join(' ')
    expect(texts).toContain('which was deleted')
    expect(texts).toContain('The map.')
    expect(texts).not.toContain('A train')
  }, 120_000)
})

describe('featurelens plot', () => {
  let plotRun = ''
  let otherRun = ''
  beforeAll(async () => {
    const model = tf.sequential({
      layers: [tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 3, kernelSize: 3, name: 'conv' }), tf.layers.flatten({ name: 'flatten' }), tf.layers.dense({ units: 10, activation: 'softmax', name: 'predictions' })]
    })
    const db = openWorkspaceDb(join(workspace, 'featurelens.sqlite'))
    plotRun = storeRun(db, model, 2, driftingWeights)
    otherRun = storeRun(db, model, 2, (e, initial) => driftingWeights(e + 3, initial))
    db.close()
  })

  it('renders a weight matrix whose CSV holds the stored kernel, and a feature map and curves to files', async () => {
    const csvPath = join(outDir, 'weights.csv')
    const r = await featurelens('plot', plotRun, 'weights', '--weight', 'conv/kernel', '--epoch', '1', '--format', 'csv', '--out', csvPath)
    expect(r.stderr).toBe('')
    const rows = readFileSync(csvPath, 'utf8').trim().split('\n').map((l) => l.split(',').map(Number))
    // conv2d [kh, kw, in, out] as a matrix: a row per output filter, columns (in·kh + y)·kw + x.
    const db = openWorkspaceDb(join(workspace, 'featurelens.sqlite'), { readonly: true })
    const info = listTensors(db, plotRun, 1, 'weight').find((t) => t.name === 'conv/kernel')
    const kernel = loadTensor(db, plotRun, 1, 'weight', info!.position)
    db.close()
    expect(rows.length).toBe(3)
    expect(rows[0].length).toBe(9)
    for (let o = 0; o < 3; o++) for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) expect(rows[o][y * 3 + x]).toBeCloseTo(kernel.data[(y * 3 + x) * 3 + o], 6)

    const png = join(outDir, 'map.png')
    const fm = await featurelens('plot', plotRun, 'featuremaps', '--layer', 'conv', '--channel', '2', '--format', 'png', '--dpi', '150', '--out', png)
    expect(fm.stderr).toBe('')
    expect((await sharp(readFileSync(png)).metadata()).width).toBe(900)

    const svg = join(outDir, 'curves.svg')
    const curves = await featurelens('plot', plotRun, 'curves', '--metric', 'accuracy', '--format', 'svg', '--out', svg)
    expect(curves.code).toBe(0)
    expect(parseSvg(readFileSync(svg, 'utf8'))).toEqual(expect.arrayContaining(['accuracy', 'epoch', 'train', 'validation', 'test']))

    // CKA of the run's layers against each other: a labelled matrix whose diagonal is 1.
    const ckaPath = join(outDir, 'cka.csv')
    const cka = await featurelens('plot', plotRun, 'cka', '--with', otherRun, '--self', '--examples', '16', '--format', 'csv', '--out', ckaPath)
    expect(cka.stderr).toBe('')
    const lines = readFileSync(ckaPath, 'utf8').trim().split('\n').map((l) => l.split(','))
    const names = lines[0].slice(1)
    expect(names).toContain('conv')
    names.forEach((name, j) => {
      expect(lines[j + 1][0]).toBe(name)
      expect(Number(lines[j + 1][j + 1])).toBeCloseTo(1, 3)
    })

    const cross = await featurelens('plot', plotRun, 'cka', '--with', otherRun, '--examples', '16', '--format', 'svg', '--out', join(outDir, 'cka.svg'))
    expect(cross.stderr).toBe('')
    expect(parseSvg(readFileSync(join(outDir, 'cka.svg'), 'utf8'))).toEqual(expect.arrayContaining([plotRun, otherRun, 'conv']))
    expect((await featurelens('plot', plotRun, 'cka', '--format', 'svg')).stderr).toMatch(/plot cka needs --with RUN_B/)

    const bad = await featurelens('plot', plotRun, 'featuremaps', '--layer', 'conv', '--channel', '9', '--format', 'png')
    expect(bad.stderr).toMatch(/--channel 9: conv has 3 channels/)
  }, 180_000)
})

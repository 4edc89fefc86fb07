import * as tf from '@tensorflow/tfjs'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Composition } from '../../src-shared/figureSet'
import { initBackend } from '../../src-main/engine/backend/select'
import { runCli } from '../../src-main/cli/main'
import { openWorkspaceDb } from '../../src-main/engine/store/database'
import { parseSvg, pdfText } from '../support/parseFiles'
import { driftingWeights, storeRun } from '../support/storedRun'
import { tempDir } from '../support/workspace'

const workspace = tempDir('fl-poster-')
const outDir = tempDir('fl-poster-out-')
let runA = ''
let runB = ''

async function featurelens(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli([...args, '--workspace', workspace], { out: (l) => out.push(l), err: (l) => err.push(l) })
  return { code, stdout: out.join('\n'), stderr: err.join('\n') }
}

/** `plot … --save --json`: the saved figure's id. */
async function saved(...args: string[]): Promise<string> {
  const r = await featurelens('plot', ...args, '--save', '--json')
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  return (JSON.parse(r.stdout) as { id: string }).id
}

/** Every font size of an SVG, in the document's user units. */
function fontSizes(svg: string): number[] {
  const sizes = [...svg.matchAll(/font-size(?:="|:\s*)([\d.]+)/g)].map((m) => Number(m[1]))
  return sizes.filter((s) => s > 0)
}

beforeAll(async () => {
  await initBackend()
  const model = tf.sequential({
    layers: [tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, name: 'conv' }), tf.layers.flatten({ name: 'flatten' }), tf.layers.dense({ units: 10, activation: 'softmax', name: 'predictions' })]
  })
  const db = openWorkspaceDb(join(workspace, 'featurelens.sqlite'))
  runA = storeRun(db, model, 2, driftingWeights)
  runB = storeRun(db, model, 2, (e, initial) => driftingWeights(e + 3, initial))
  db.close()
})

describe('posters from the command line', () => {
  it('plot --save keeps the edited words, and compose writes an A0 portrait PDF with print-size type', async () => {
    const ids = [
      await saved(runA, 'curves', '--title', 'Loss while learning', '--y-label', 'cross-entropy', '--legend', '1=training batches'),
      await saved(runA, 'curves', '--metric', 'accuracy'),
      await saved(runA, 'weights', '--weight', 'conv/kernel', '--colorbar-label', 'weight value'),
      await saved(runA, 'featuremaps', '--layer', 'conv', '--channel', '1'),
      await saved(runA, 'featuremaps', '--layer', 'conv', '--channel', '2', '--title', ''),
      await saved(runA, 'cka', '--with', runB, '--examples', '16')
    ]
    expect(new Set(ids).size).toBe(6)

    const pdfPath = join(outDir, 'poster.pdf')
    const r = await featurelens('compose', ...ids, '--title', 'What two small networks learn', '--size', 'a0-portrait', '--grid', '3x2', '--caption', 'A=Loss per batch.', '--caption', 'F=Layer similarity.', '--out', pdfPath, '--json')
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const { id } = JSON.parse(r.stdout) as { id: string }

    const bytes = readFileSync(pdfPath)
    const pdf = await pdfText(bytes)
    expect(pdf.pages).toBe(1)
    // 841 × 1189 mm, to a millimetre (PDF points are 1/72 in).
    expect(Math.abs((pdf.size[0] / 72) * 25.4 - 841)).toBeLessThan(1)
    expect(Math.abs((pdf.size[1] / 72) * 25.4 - 1189)).toBeLessThan(1)
    // The font travels with the file.
    expect(bytes.toString('latin1')).toMatch(/\/FontFile2/)
    expect(pdf.text).toContain('What two small networks learn')
    expect(pdf.text).toContain('Loss while learning')
    expect(pdf.text).toContain('cross-entropy')
    expect(pdf.text).toContain('training batches')
    expect(pdf.text).toContain('Layer similarity.')

    // The same composition as SVG: no text below 18 pt at the printed size (96 units an inch, 72 points).
    const svgPath = join(outDir, 'poster.svg')
    const again = await featurelens('export', '--composition', id, '--format', 'svg', '--out', svgPath)
    expect(again.code).toBe(0)
    const svg = readFileSync(svgPath, 'utf8')
    const texts = parseSvg(svg)
    expect(texts).toContain('weight value')
    expect(texts).not.toContain(`conv · channel 2 · test #0 · epoch 2`)
    const points = fontSizes(svg).map((s) => (s * 72) / 96)
    expect(points.length).toBeGreaterThan(20)
    expect(Math.min(...points)).toBeGreaterThanOrEqual(18)
    expect(Math.max(...points)).toBeGreaterThanOrEqual(28)

    const list = await featurelens('figures', 'list', '--json')
    const composition = (JSON.parse(list.stdout) as { compositions: Composition[] }).compositions.find((c) => c.id === id)
    expect(composition?.layout).toMatchObject({ rows: 3, cols: 2, fontSize: 20, title: 'What two small networks learn' })
    const table = await featurelens('figures', 'list')
    expect(table.stdout).toMatch(new RegExp(`${id}\\s+6\\s+a0-portrait`))
  }, 120_000)

  it("draws a layer's feature maps and its filters as one figure each, every tile labelled with its channel", async () => {
    const maps = join(outDir, 'maps.svg')
    const r = await featurelens('plot', runA, 'featuremaps', '--layer', 'conv', '--grid', '--channels', '1-3', '--format', 'svg', '--out', maps)
    expect(r.stderr).toBe('')
    const texts = parseSvg(readFileSync(maps, 'utf8'))
    expect(texts).toEqual(expect.arrayContaining(['1', '2', '3', 'activation']))
    expect(texts.some((t) => t.startsWith('conv · channels 1-3 · test #0'))).toBe(true)
    // One colour bar for the grid: its label once.
    expect(texts.filter((t) => t === 'activation')).toHaveLength(1)
    const filters = join(outDir, 'filters.png')
    const f = await featurelens('plot', runA, 'filters', '--layer', 'conv', '--grid', '--format', 'png', '--dpi', '100', '--out', filters)
    expect(f.stderr).toBe('')
    expect(readFileSync(filters).subarray(1, 4).toString()).toBe('PNG')
    const bad = await featurelens('plot', runA, 'featuremaps', '--layer', 'conv', '--grid', '--channels', '2-9', '--format', 'svg', '--out', join(outDir, 'bad.svg'))
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toMatch(/channels "2-9": the layer has channels 0–3/)
  })

  it('refuses what it cannot build, saying what to give instead', async () => {
    const cases: [string[], RegExp][] = [
      [['compose', 'nope', '--out', join(outDir, 'x.pdf')], /no saved figure nope/],
      [['compose', 'a', 'b', 'c', '--grid', '1x2', '--out', join(outDir, 'x.pdf')], /1x2 has 2 places for 3 figures/],
      [['compose', 'a', '--size', 'b7', '--out', join(outDir, 'x.pdf')], /--size "b7": give one of a0-portrait/],
      [['compose', 'a', '--out', join(outDir, 'x.docx')], /compose writes svg, pdf, png/],
      [['compose', 'a', '--caption', 'Z=far', '--out', join(outDir, 'x.pdf')], /--caption "Z=far": give a panel letter from A to A/],
      [['plot', runA, 'curves', '--legend', 'seven=x', '--format', 'svg', '--out', join(outDir, 'l.svg')], /legend: "seven" names no series/]
    ]
    for (const [args, message] of cases) {
      const r = await featurelens(...args)
      expect(r.code, args.join(' ')).not.toBe(0)
      expect(r.stderr, args.join(' ')).toMatch(message)
      expect(r.stderr).not.toMatch(/\n\s+at /)
    }
  })
})

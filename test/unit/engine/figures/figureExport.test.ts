import { describe, expect, it } from 'vitest'
import sharp from 'sharp'
import { valuesToRgba } from '../../../../src-shared/colormaps'
import type { HeatmapFigure } from '../../../../src-shared/figure'
import { ckaMatrixFigure } from '../../../../src-shared/figures/compareFigures'
import { histogramFigure } from '../../../../src-shared/figures/weightFigures'
import type { WeightHistogram } from '../../../../src-shared/inspect'
import { exportFigure } from '../../../../src-main/engine/figures/exportFigure'
import { exportComposition } from '../../../../src-main/engine/figures/exportSaved'
import { saveComposition, saveFigure } from '../../../../src-main/engine/store/figureStore'
import { openTestApi } from '../../../support/workspace'
import { pngChunks } from '../../../../src-main/engine/figures/png'
import { parseSvg, pdfText } from '../../../support/parseFiles'
import { twoRunLoss } from '../../../support/figures'

function heatmap(): HeatmapFigure {
  const w = 23
  const h = 17
  const values = new Float32Array(w * h)
  for (let i = 0; i < values.length; i++) values[i] = Math.sin(i * 0.37) * 3 + (i % 7)
  return { kind: 'heatmap', title: 'conv1 · weights', width: w, height: h, values, scale: { name: 'viridis', min: -3, max: 9, label: 'w' }, xLabel: 'input', yLabel: 'output' }
}

describe('figure export files', () => {
  it('PNG at 300 DPI and 6 inches is 1800 px wide and records 300 DPI in pHYs', async () => {
    const file = await exportFigure(twoRunLoss(), { format: 'png', dpi: 300, widthIn: 6 })
    const meta = await sharp(Buffer.from(file.bytes)).metadata()
    expect(meta.width).toBe(1800)
    const phys = pngChunks(file.bytes).find((c) => c.type === 'pHYs')
    expect(phys).toBeDefined()
    expect(phys?.data.readUInt32BE(0)).toBe(11811)
    expect(phys?.data.readUInt32BE(4)).toBe(11811)
    expect(phys?.data[8]).toBe(1)
    expect(meta.density).toBe(300)
  })

  it('PNG backgrounds are white or transparent, with straight (not premultiplied) alpha', async () => {
    const white = await exportFigure(twoRunLoss(), { format: 'png', dpi: 50, widthIn: 4 })
    const w = await sharp(Buffer.from(white.bytes)).ensureAlpha().raw().toBuffer()
    expect(Array.from(w.subarray(0, 4))).toEqual([255, 255, 255, 255])
    const clear = await exportFigure(twoRunLoss(), { format: 'png', dpi: 50, widthIn: 4, background: 'transparent' })
    const { data, info } = await sharp(Buffer.from(clear.bytes)).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
    expect(data[3]).toBe(0)
    // Partly covered pixels (antialiased line edges) keep their line's colour at any alpha.
    // Run A's lines are #3b5bdb: their faint edge pixels must still read blue 219, not 219 × alpha.
    const blues: number[] = []
    for (let i = 0; i < info.width * info.height * 4; i += 4) {
      const a = data[i + 3]
      if (a > 0 && a < 128 && data[i + 2] > data[i] + 60) blues.push(data[i + 2])
    }
    blues.sort((x, y) => x - y)
    expect(blues.length).toBeGreaterThan(20)
    expect(blues[Math.floor(blues.length / 2)]).toBeGreaterThan(200)
  })

  it('SVG of a two-run loss chart has legend entries, axis titles and ticks as text, parses, and uses no external CSS', async () => {
    const file = await exportFigure(twoRunLoss(), { format: 'svg', widthIn: 6 })
    const svg = Buffer.from(file.bytes).toString('utf8')
    const texts = parseSvg(svg)
    for (const entry of ['A train', 'A validation', 'B train', 'B validation', 'epoch', 'loss', 'Loss of both runs']) expect(texts).toContain(entry)
    // Tick labels: the epochs and some loss values.
    expect(texts).toEqual(expect.arrayContaining(['1', '2', '3']))
    expect(texts.some((t) => /^0\.\d+$|^1\.\d+$/.test(t))).toBe(true)
    expect(svg).not.toMatch(/<link|@import|stylesheet|<style|class="/)
    expect(svg).toMatch(/font-family="DejaVu Sans/)
    expect(svg).toMatch(/width="6\.0000in"/)
  })

  it('a heatmap PNG at native size reads back as the spec through the colour map, pixel for pixel', async () => {
    const spec = heatmap()
    const file = await exportFigure(spec, { format: 'png', cellPx: 1, dpi: 300 })
    const rect = file.rasters?.[0]
    expect(rect).toMatchObject({ width: spec.width, height: spec.height })
    const { data, info } = await sharp(Buffer.from(file.bytes)).raw().ensureAlpha().toBuffer({ resolveWithObject: true })
    const expected = valuesToRgba(spec.values, spec.scale.min, spec.scale.max, spec.scale.name)
    let mismatches = 0
    for (let y = 0; y < spec.height; y++) for (let x = 0; x < spec.width; x++) {
      const o = ((rect!.y + y) * info.width + rect!.x + x) * 4
      const e = (y * spec.width + x) * 4
      for (let c = 0; c < 4; c++) if (data[o + c] !== expected[e + c]) mismatches++
    }
    expect(mismatches).toBe(0)
    // The pixel just outside the map is not map (the frame or background).
    const scaled = await exportFigure(spec, { format: 'png', cellPx: 4, dpi: 300 })
    expect(scaled.rasters?.[0]).toMatchObject({ width: spec.width * 4, height: spec.height * 4 })
  })

  it('an RGB image enlarged 3× is blocks of its exact pixels, never blended; NaN stays background', async () => {
    const values = new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 1, NaN, NaN, NaN])
    const spec = { kind: 'image' as const, title: 'rgb', width: 2, height: 2, channels: 3 as const, values }
    const file = await exportFigure(spec, { format: 'png', cellPx: 3, dpi: 96 })
    const rect = file.rasters![0]
    expect(rect).toMatchObject({ width: 6, height: 6 })
    const { data, info } = await sharp(Buffer.from(file.bytes)).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
    const at = (x: number, y: number) => Array.from(data.subarray(((rect.y + y) * info.width + rect.x + x) * 4, ((rect.y + y) * info.width + rect.x + x) * 4 + 4))
    for (let y = 0; y < 6; y++) for (let x = 0; x < 6; x++) {
      const p = Math.floor(y / 3) * 2 + Math.floor(x / 3)
      // The frame's stroke shows through a transparent value on the map's edge.
      if (p === 3 && (x === 5 || y === 5)) continue
      const expected = p === 3 ? [255, 255, 255, 255] : [255 * values[p * 3], 255 * values[p * 3 + 1], 255 * values[p * 3 + 2], 255]
      expect(at(x, y), `${x},${y}`).toEqual(expected)
    }
  })

  it('a heatmap SVG carries the colour bar and labels as vector text and the map as a pixelated image', async () => {
    const file = await exportFigure(heatmap(), { format: 'svg' })
    const svg = Buffer.from(file.bytes).toString('utf8')
    const texts = parseSvg(svg)
    expect(texts).toEqual(expect.arrayContaining(['conv1 · weights', 'input', 'output', 'w', '9', '3', '-3']))
    expect(svg).toMatch(/<linearGradient/)
    expect(svg).toMatch(/image-rendering="optimizeSpeed"/)
  })

  it('the CKA colour bar has its title apart from its tick labels, each said once', async () => {
    const layers = ['conv1', 'conv2', 'fc1']
    const values = Float32Array.from({ length: 9 }, (_, i) => (i % 4) / 3)
    const file = await exportFigure(ckaMatrixFigure(values, layers, layers, 'Linear CKA', 'Smiling', 'Male'), { format: 'svg' })
    const texts = parseSvg(new TextDecoder().decode(file.bytes))
    expect(texts.filter((t) => t === 'CKA')).toHaveLength(1)
    expect(texts.filter((t) => /^CKA\s*\d/.test(t))).toEqual([])
  })

  it('a PDF is one page at the figure size with its text', async () => {
    const file = await exportFigure(twoRunLoss(), { format: 'pdf', widthIn: 5, heightIn: 3 })
    const { pages, text, size } = await pdfText(file.bytes)
    expect(pages).toBe(1)
    expect(size[0]).toBeCloseTo(360, 1)
    expect(size[1]).toBeCloseTo(216, 1)
    expect(text).toContain('A validation')
  })

  it('the CSV of a curve has the spec points', async () => {
    const spec = twoRunLoss()
    const file = await exportFigure(spec, { format: 'csv' })
    const lines = Buffer.from(file.bytes).toString('utf8').trim().split('\n')
    expect(lines[0]).toBe('series,x,y')
    const series = spec.option.series as { name: string; data: [number, number][] }[]
    const expected = series.flatMap((s) => s.data.map(([x, y]) => `${s.name},${x},${y}`))
    expect(lines.slice(1)).toEqual(expected)
  })

  it('the CSV of a ridgeline holds the densities per epoch, not the drawn offsets', async () => {
    const histograms = [1, 2].map((epoch) => ({ epoch, edges: new Float32Array([-1, 0, 1]), counts: new Uint32Array([epoch, 4 - epoch]) }))
    const file = await exportFigure(histogramFigure(histograms as unknown as WeightHistogram[], 'conv/kernel', 'ridgeline'), { format: 'csv' })
    // Counts / total / bin width: epoch 1 has 1 and 3 of 4 in bins of width 1.
    expect(Buffer.from(file.bytes).toString('utf8').trim().split('\n')).toEqual(['epoch,weight,density', '1,-0.5,0.25', '1,0.5,0.75', '2,-0.5,0.5', '2,0.5,0.5'])
  })

  it('matrices export as .npy with their shape', async () => {
    const spec = heatmap()
    const file = await exportFigure(spec, { format: 'npy' })
    const header = Buffer.from(file.bytes).toString('latin1', 10, 80)
    expect(header).toContain(`'shape': (${spec.height}, ${spec.width})`)
  })

  it('refuses a DPI of 0 or above 1200 and a size past 160 megapixels, naming the limit', async () => {
    await expect(exportFigure(twoRunLoss(), { format: 'png', dpi: 0 })).rejects.toThrow(/dpi must be between 1 and 1200.*got 0/)
    await expect(exportFigure(twoRunLoss(), { format: 'png', dpi: 1201 })).rejects.toThrow(/dpi must be between 1 and 1200.*got 1201/)
    await expect(exportFigure(twoRunLoss(), { format: 'png', dpi: 1200, widthIn: 40 })).rejects.toThrow(/exceeds the limit of 160 megapixels/)
    await expect(exportFigure(twoRunLoss(), { format: 'npy' })).rejects.toThrow(/npy is for maps/)
  })

  it('refuses a width past the limit in the unit it was given: pixels for a width in pixels, inches for one in inches', async () => {
    await expect(exportFigure(twoRunLoss(), { format: 'png', dpi: 300, widthPx: 1_000_000 })).rejects.toThrow(/width must be .* at most 30000 px at 300 DPI.*got 1000000 px/)
    await expect(exportFigure(twoRunLoss(), { format: 'png', dpi: 300, widthPx: 1_000_000 })).rejects.not.toThrow(/inches, got|3333/)
    await expect(exportFigure(twoRunLoss(), { format: 'png', dpi: 300, widthIn: 500 })).rejects.toThrow(/at most 100 inches, got 500 inches/)
    const api = openTestApi()
    try {
      const figure = saveFigure(api.context.db, heatmap(), { source: 'test', runIds: [] })
      const composition = saveComposition(api.context.db, { name: 'poster', layout: { rows: 1, cols: 1, widthIn: 6, heightIn: 4, panels: [{ figureId: figure.id, row: 0, col: 0 }] } })
      await expect(exportComposition(api.context.db, composition.id, { format: 'png', dpi: 300, widthPx: 1_000_000 })).rejects.toThrow(/at most 30000 px at 300 DPI.*got 1000000 px/)
    } finally {
      api.close()
    }
  })
})

import { afterEach, describe, expect, it } from 'vitest'
import sharp from 'sharp'
import { TrainConfig } from '../../src-shared/run'
import type { CompositionLayoutInput } from '../../src-shared/figureSet'
import type { HeatmapFigure } from '../../src-shared/figure'
import { createRun } from '../../src-main/engine/store/runStore'
import { openTestApi } from '../support/workspace'
import type { OpenApi } from '../../src-main/api/openApi'
import { twoRunLoss } from '../support/figures'
import { parseSvg, pdfText } from '../support/parseFiles'

let api: OpenApi | null = null
afterEach(() => api?.close())

function map(title: string): HeatmapFigure {
  const values = new Float32Array(12 * 10).map((_, i) => Math.cos(i / 5))
  return { kind: 'heatmap', title, width: 12, height: 10, values, scale: { name: 'magma', min: -1, max: 1, label: 'activation' } }
}

describe('figure set and compositions', () => {
  it('saves figures with exact specs, composes three panels and exports SVG, PNG and PDF', async () => {
    api = openTestApi()
    const runId = createRun(api.context.db, TrainConfig.parse({ dataset: 'mnist', model: { name: 'minimal' } }))
    const a = await api.call('figures.save', { spec: twoRunLoss(), source: 'Compare', runIds: [runId] })
    const b = await api.call('figures.save', { spec: map('conv1 · channel 3'), source: 'Inspect' })
    const c = await api.call('figures.save', { spec: map('conv2 · channel 0'), title: 'Deep map', source: 'Inspect' })
    expect((await api.call('figures.list', {})).map((f) => f.id).sort()).toEqual([a.id, b.id, c.id].sort())
    const back = await api.call('figures.get', { id: b.id })
    expect(back.spec.kind).toBe('heatmap')
    expect(Array.from(back.spec.kind === 'heatmap' ? back.spec.values : [])).toEqual(Array.from(map('x').values))

    const layout: CompositionLayoutInput = {
      rows: 2,
      cols: 2,
      widthIn: 8,
      heightIn: 6,
      theme: 'light',
      fontSize: 11,
      panels: [
        { figureId: a.id, row: 0, col: 0, colSpan: 2, caption: 'Loss of both runs over training; validation dashed.' },
        { figureId: b.id, row: 1, col: 0, caption: 'A shallow map.' },
        { figureId: c.id, row: 1, col: 1, caption: 'A deep map.' }
      ]
    }
    const comp = await api.call('compositions.save', { name: 'Poster figure 2', layout })
    const reopened = await api.call('compositions.get', { id: comp.id })
    expect(reopened.layout.panels).toHaveLength(3)
    expect(reopened.layout.panels[0]).toMatchObject({ colSpan: 2, rowSpan: 1 })

    const svg = await api.call('compositions.export', { id: comp.id, options: { format: 'svg' } })
    const texts = parseSvg(Buffer.from(svg.bytes).toString('utf8'))
    expect(texts).toEqual(expect.arrayContaining(['A', 'B', 'C', 'A shallow map.', 'A train']))
    expect(svg.fileName).toBe('poster-figure-2.svg')

    const png = await api.call('compositions.export', { id: comp.id, options: { format: 'png', dpi: 150 } })
    expect((await sharp(Buffer.from(png.bytes)).metadata()).width).toBe(1200)

    const pdf = await api.call('compositions.export', { id: comp.id, options: { format: 'pdf' } })
    const parsed = await pdfText(pdf.bytes)
    expect(parsed.pages).toBe(1)
    expect(parsed.size[0]).toBeCloseTo(8 * 72, 1)
    expect(parsed.size[1]).toBeCloseTo(6 * 72, 1)
    for (const letter of ['A', 'B', 'C']) expect(parsed.text.split(/\s+/)).toContain(letter)

    const copy = await api.call('compositions.duplicate', { id: comp.id })
    expect(copy.name).toBe('Poster figure 2 (copy)')
    await api.call('compositions.delete', { id: comp.id })
    expect((await api.call('compositions.list', {})).map((x) => x.id)).toEqual([copy.id])

    // The run behind panel A is deleted: its panel says so and the rest still exports.
    api.context.db.prepare(`UPDATE runs SET status = 'cancelled' WHERE id = ?`).run(runId)
    await api.call('runs.delete', { id: runId })
    const after = await api.call('compositions.export', { id: copy.id, options: { format: 'svg' } })
    expect(after.warnings).toEqual([expect.stringMatching(new RegExp(`panel 1: .*run ${runId}, which was deleted`))])
    const afterTexts = parseSvg(Buffer.from(after.bytes).toString('utf8')).join(' ')
    expect(afterTexts).toContain(runId)
    expect(afterTexts).toContain('A shallow map.')
    // A deleted figure likewise.
    await api.call('figures.delete', { id: c.id })
    const pngAfter = await api.call('compositions.export', { id: copy.id, options: { format: 'png', dpi: 72 } })
    expect(pngAfter.warnings).toHaveLength(2)
    expect(pngAfter.warnings[1]).toMatch(/panel 3: Figure .* was deleted/)
  })

  it("keeps the user's words with a saved figure: every export and composition uses them, and an empty one hides", async () => {
    api = openTestApi()
    const chart = await api.call('figures.save', { spec: twoRunLoss(), source: 'Compare' })
    const heat = await api.call('figures.save', { spec: { ...map('conv1 · channel 3'), xLabel: 'x', yLabel: 'y' }, source: 'Inspect' })
    const generated = ((await api.dispatch('figures.get', { id: chart.id })) as { generated: { option: { series: { name: string }[] } } }).generated
    const names = generated.option.series.map((s) => s.name)
    const edited = await api.call('figures.setText', { id: chart.id, text: { title: 'Smiling against Male', yLabel: 'cross-entropy', legend: { [names[0]]: 'Smiling, training' } } })
    expect(edited).toMatchObject({ title: 'Smiling against Male', text: { title: 'Smiling against Male', yLabel: 'cross-entropy' } })
    await api.dispatch('figures.setText', { id: heat.id, text: { title: '', colorBar: 'response', xLabel: '' } })

    const svg = parseSvg(new TextDecoder().decode((await api.call('figures.export', { id: chart.id, options: { format: 'svg' } })).bytes))
    expect(svg).toEqual(expect.arrayContaining(['Smiling against Male', 'cross-entropy', 'Smiling, training']))
    expect(svg).not.toContain(names[0])
    const mapSvg = parseSvg(new TextDecoder().decode((await api.call('figures.export', { id: heat.id, options: { format: 'svg' } })).bytes))
    expect(mapSvg).toContain('response')
    expect(mapSvg).toContain('y')
    expect(mapSvg).not.toContain('conv1 · channel 3')
    expect(mapSvg).not.toContain('x')

    const comp = await api.call('compositions.save', { name: 'Words', layout: { rows: 1, cols: 2, panels: [{ figureId: chart.id, row: 0, col: 0 }, { figureId: heat.id, row: 0, col: 1 }] } })
    const pdf = await pdfText((await api.call('compositions.export', { id: comp.id, options: { format: 'pdf' } })).bytes)
    expect(pdf.text).toContain('Smiling against Male')
    expect(pdf.text).toContain('response')
    // The words survive a reopened workspace (they are in the database, not in memory).
    const listed = (await api.call('figures.list', {})).find((f) => f.id === heat.id)
    expect(listed?.text).toEqual({ title: '', colorBar: 'response', xLabel: '' })
    await expect(api.dispatch('figures.setText', { id: 'fig-nope', text: {} })).rejects.toThrow(/no figure with id "fig-nope"/)
    await expect(api.dispatch('figures.setText', { id: chart.id, text: { legend: { nine: 'x' } } })).rejects.toThrow(/"nine" names no series/)
  })

  it('refuses unknown ids, panels outside the grid and overlapping panels, naming them', async () => {
    api = openTestApi()
    await expect(api.call('figures.export', { id: 'fig-nope', options: { format: 'svg' } })).rejects.toThrow(/no figure with id "fig-nope"/)
    await expect(api.call('compositions.export', { id: 'comp-nope', options: { format: 'png' } })).rejects.toThrow(/no composition with id "comp-nope"/)
    const f = await api.call('figures.save', { spec: map('m') })
    await expect(api.call('compositions.save', { name: 'x', layout: { rows: 1, cols: 1, panels: [{ figureId: f.id, row: 0, col: 1 }] } })).rejects.toThrow(/panel 1 .* does not fit a 1×1 grid/)
    await expect(
      api.call('compositions.save', { name: 'x', layout: { rows: 1, cols: 2, panels: [{ figureId: f.id, row: 0, col: 0, colSpan: 2 }, { figureId: f.id, row: 0, col: 1 }] } })
    ).rejects.toThrow(/panel 2 overlaps panel 1/)
    await expect(api.call('figures.export', { id: f.id, options: { format: 'png', dpi: 0 } })).rejects.toThrow(/dpi must be between 1 and 1200/)
  })
})

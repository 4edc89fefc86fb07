import { describe, expect, it } from 'vitest'
import type { ChartFigure } from '../../../src-shared/figure'
import { CATEGORICAL, formatCompact, formatNumber, legendRows, styledChartOption, wrapTitle } from '../../../src-shared/figures/chartStyle'

const lines = (n: number, ordered: boolean): ChartFigure => ({
  kind: 'chart',
  title: 'Change per layer',
  ordered: ordered ? { label: 'layer' } : undefined,
  option: { legend: {}, grid: { top: 60 }, xAxis: { type: 'value' }, yAxis: { type: 'value' }, series: Array.from({ length: n }, (_, i) => ({ name: `layer ${i}`, type: 'line', data: [[0, i]] })) }
})

type Series = { lineStyle: { color: string; type: string } }

describe('the shared chart style', () => {
  it('gives up to twelve series distinct colour-blind-safe colours and alternating line styles, with a wrapped legend under the title', () => {
    const o = styledChartOption(lines(6, true), { theme: 'dark', width: 500 })
    const series = o.series as Series[]
    expect(new Set(series.map((s) => s.lineStyle.color)).size).toBe(6)
    expect(series.map((s) => s.lineStyle.color)).toEqual(CATEGORICAL.slice(0, 6))
    expect(series.map((s) => s.lineStyle.type)).toEqual(['solid', 'dashed', 'dotted', 'solid', 'dashed', 'dotted'])
    const legend = o.legend as { type: string; top: number }
    expect(legend.type).toBe('plain')
    // The legend starts below the title; the plot starts below the legend's rows.
    expect(legend.top).toBeGreaterThanOrEqual(12 + 14)
    const rows = legendRows(series.map((_, i) => `layer ${i}`), 500, 12)
    expect((o.grid as { top: number }).top).toBeGreaterThan(legend.top + rows * 20)
  })

  it('puts more than twelve ordered series on a sequential scale with a colour bar instead of a legend', () => {
    const o = styledChartOption(lines(16, true), { theme: 'light', width: 600 })
    expect((o.legend as { show: boolean }).show).toBe(false)
    const colors = (o.series as Series[]).map((s) => s.lineStyle.color)
    expect(new Set(colors).size).toBe(16)
    expect(colors.every((c) => c.startsWith('rgb('))).toBe(true)
    const graphic = o.graphic as { type: string; style: { text?: string } }[]
    expect(graphic.map((g) => g.type)).toEqual(['text', 'rect'])
    expect(graphic[0].style.text).toBe('layer: layer 0 → layer 15')
  })

  it('formats axis numbers and tile captions briefly', () => {
    expect(formatNumber(0.136691153049469)).toBe('0.1367')
    expect(formatNumber(0.00004)).toBe('4.0e-5')
    expect(formatNumber(250000)).toBe('2.5e5')
    expect(formatNumber(12)).toBe('12')
    expect(formatCompact(0.0000412)).toBe('4.1e-5')
    expect(formatCompact(0.1367)).toBe('0.14')
    const o = styledChartOption(lines(2, false), { theme: 'light', width: 600 })
    const formatter = (o.xAxis as { axisLabel: { formatter: (v: number) => string } }[])[0].axisLabel.formatter
    expect(formatter(0.136691153049469)).toBe('0.1367')
  })
})

describe('titles that do not fit', () => {
  it('wrap at spaces within the width instead of being clipped, and push the plot down', () => {
    const title = 'Linear CKA, Smiling (rows) against Male (columns), epoch 4'
    const lines = wrapTitle(title, 240, 13)
    expect(lines.length).toBeGreaterThan(1)
    expect(lines.join(' ')).toBe(title)
    for (const line of lines) expect(line.length * 13 * 0.65).toBeLessThanOrEqual(240)
    const spec = { kind: 'chart' as const, title, option: { grid: { top: 10 }, xAxis: { type: 'value' }, yAxis: { type: 'value' }, series: [] } }
    const narrow = styledChartOption(spec, { theme: 'light', width: 264 })
    const wide = styledChartOption(spec, { theme: 'light', width: 1200 })
    expect((narrow.title as { text: string }).text.split('\n')).toEqual(lines)
    expect((wide.title as { text: string }).text).toBe(title)
    expect((narrow.grid as { top: number }).top).toBeGreaterThan((wide.grid as { top: number }).top)
  })
})

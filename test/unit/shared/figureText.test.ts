import { describe, expect, it } from 'vitest'
import type { ChartFigure, HeatmapFigure } from '../../../src-shared/figure'
import { applyFigureText, parseLegend } from '../../../src-shared/figures/figureText'

const chart: ChartFigure = {
  kind: 'chart',
  title: 'A − B',
  option: { legend: { data: ['run A', 'run B'] }, xAxis: { type: 'value', name: 'epoch' }, yAxis: [{ type: 'value', name: 'loss' }, { type: 'value', name: 'rate' }], series: [{ name: 'run A', type: 'line', data: [] }, { name: 'run B', type: 'line', data: [] }] }
}
const heatmap: HeatmapFigure = { kind: 'heatmap', title: 'A · block4_conv2', width: 2, height: 1, values: new Float32Array([0, 1]), scale: { name: 'viridis', min: 0, max: 1, label: 'CKA' }, xLabel: 'B', yLabel: 'A' }

describe('figure words', () => {
  it('renames legend entries by name, position or letter, and the first y axis only', () => {
    for (const legend of [{ 'run a': 'Smiling', 'run B': 'Male' }, { 1: 'Smiling', 2: 'Male' }, parseLegend('a=Smiling,b=Male')]) {
      const out = applyFigureText(chart, { legend, yLabel: 'cross-entropy' }) as ChartFigure
      const option = out.option as { series: { name: string }[]; legend: { data: string[] }; yAxis: { name: string }[] }
      expect(option.series.map((s) => s.name)).toEqual(['Smiling', 'Male'])
      expect(option.legend.data).toEqual(['Smiling', 'Male'])
      expect(option.yAxis.map((a) => a.name)).toEqual(['cross-entropy', 'rate'])
    }
    // The spec it was made from is untouched.
    expect((chart.option.series as { name: string }[])[0].name).toBe('run A')
  })

  it('hides what is set empty and leaves what is not given', () => {
    const out = applyFigureText(heatmap, { title: '', colorBar: 'similarity' }) as HeatmapFigure
    expect(out.title).toBeUndefined()
    expect(out.scale.label).toBe('similarity')
    expect(out.xLabel).toBe('B')
    expect(applyFigureText(chart, {})).toEqual(chart)
  })

  it('parses escaped commas and refuses entries without a name', () => {
    expect(parseLegend('a=Smiling\\, trained,b=Male')).toEqual({ a: 'Smiling, trained', b: 'Male' })
    expect(() => parseLegend('Smiling')).toThrow(/series=name/)
    expect(() => applyFigureText(chart, { legend: { c: 'x' } })).toThrow(/"c" names no series; the series are 1 "run A", 2 "run B"/)
  })
})

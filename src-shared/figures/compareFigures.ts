/**
 * Figure specs of the compare view (issue 7): CKA heatmaps and curves, the two runs' training
 * curves and weight histograms overlaid, maps of both runs on one scale with their difference,
 * and "where each model looks" over the mean input.
 */
import { colorTable } from '../colormaps'
import type { AttentionResult, CkaEpochsResult, CompareOverview, LayerCka, WeightHistogramsResult } from '../compare'
import type { ChartFigure, ColorScale, ColorScaleName, HeatmapFigure, ImageFigure } from '../figure'
import type { EpochMetrics } from '../run'

/** Run A and run B keep these colours in every chart. */
export const RUN_COLORS = { a: '#3b5bdb', b: '#e8590c' } as const

/** What the two runs are called on a figure (see pairNames); the plain letters where no names are known. */
export interface PairNames {
  a: string
  b: string
}
const LETTERS: PairNames = { a: 'A', b: 'B' }

/** Anchor colours of a shared colour table, for ECharts' visualMap. */
function paletteOf(name: ColorScaleName, stops = 9): string[] {
  const table = colorTable(name)
  return Array.from({ length: stops }, (_, i) => {
    const k = Math.round((i / (stops - 1)) * 255) * 4
    return `rgb(${table[k]},${table[k + 1]},${table[k + 2]})`
  })
}

/** A layer × layer CKA matrix as a labelled heatmap; row 0 at the top, like the CLI prints it. */
export function ckaMatrixFigure(values: Float32Array, rows: string[], cols: string[], title: string, rowRun: string, colRun: string): ChartFigure {
  const data: [number, number, number | null][] = []
  rows.forEach((_, i) => cols.forEach((__, j) => data.push([j, i, Number.isNaN(values[i * cols.length + j]) ? null : Number(values[i * cols.length + j].toFixed(3))])))
  return {
    kind: 'chart',
    title,
    option: {
      tooltip: { position: 'top' },
      grid: { left: 120, right: 80, top: 40, bottom: 110 },
      xAxis: { type: 'category', data: cols, name: colRun, nameLocation: 'middle', nameGap: 92, axisLabel: { rotate: 60, fontSize: 10 } },
      yAxis: { type: 'category', data: rows, name: rowRun, nameLocation: 'middle', nameGap: 100, inverse: true, axisLabel: { fontSize: 10 } },
      visualMap: { min: 0, max: 1, calculable: true, orient: 'vertical', right: 5, top: 'middle', inRange: { color: paletteOf('viridis') }, text: ['CKA', ''], textGap: 14 },
      series: [{ type: 'heatmap', data, label: { show: rows.length <= 12 && cols.length <= 12, fontSize: 9 } }]
    }
  }
}

/** Per layer, CKA of A against B at the same layer: the fall with depth, as bars. */
export function perLayerFigure(perLayer: LayerCka[], names: PairNames = LETTERS): ChartFigure {
  return {
    kind: 'chart',
    title: 'CKA between the runs, layer by layer',
    option: {
      tooltip: { trigger: 'axis' },
      grid: { left: 50, right: 20, top: 40, bottom: 100 },
      xAxis: { type: 'category', data: perLayer.map((p) => p.layer), axisLabel: { rotate: 60, fontSize: 10 } },
      yAxis: { type: 'value', name: `CKA (${names.a} vs ${names.b})`, min: 0, max: 1 },
      series: [
        { type: 'bar', name: `${names.a} vs ${names.b}`, data: perLayer.map((p) => p.cka), itemStyle: { color: RUN_COLORS.a } },
        // The 95 % interval from resampling the examples, as two dashed lines (the tooltip lists both ends).
        ...(perLayer.some((p) => p.low !== null)
          ? (['low', 'high'] as const).map((end) => ({ type: 'line', name: `95 % interval, ${end} end`, data: perLayer.map((p) => p[end]), symbol: 'none', lineStyle: { type: 'dashed', width: 1 }, color: '#666' }))
          : [])
      ]
    }
  }
}

export type EpochCurve = 'aVsB' | 'vsFinalA' | 'vsFinalB'

export const EPOCH_CURVES: EpochCurve[] = ['aVsB', 'vsFinalA', 'vsFinalB']

/** A curve's title with the runs' names. */
export function epochCurveTitle(curve: EpochCurve, names: PairNames = LETTERS): string {
  if (curve === 'aVsB') return `${names.a} against ${names.b}, same layer, same epoch`
  const name = curve === 'vsFinalA' ? names.a : names.b
  return `${name} against its own last epoch`
}

/** One line per layer over epochs; past a dozen layers they run shallow (dark) to deep (bright) with a colour bar. */
export function ckaEpochsFigure(result: CkaEpochsResult, curve: EpochCurve, names: PairNames = LETTERS): ChartFigure {
  const E = result.epochs.length
  const values = result[curve]
  return {
    kind: 'chart',
    title: `CKA across epochs: ${epochCurveTitle(curve, names)}`,
    ordered: { label: 'layer' },
    option: {
      tooltip: { trigger: 'axis' },
      legend: {},
      grid: { left: 50, right: 20, top: 40, bottom: 40 },
      xAxis: { type: 'category', name: 'epoch', data: result.epochs.map(String), nameLocation: 'middle', nameGap: 24 },
      yAxis: { type: 'value', name: 'CKA', min: 0, max: 1 },
      series: result.layers.map((name, l) => ({
        name,
        type: 'line',
        symbolSize: 5,
        data: Array.from(values.subarray(l * E, (l + 1) * E), (v) => (Number.isNaN(v) ? null : Number(v.toFixed(4))))
      }))
    }
  }
}

/** Loss or accuracy of both runs on one chart: colour is the run, dash is train vs validation. */
export function curvesFigure(overview: CompareOverview, metric: 'loss' | 'accuracy', names: PairNames = LETTERS): ChartFigure {
  const keys: [keyof EpochMetrics, string, string][] =
    metric === 'loss'
      ? [['trainLoss', 'train', 'solid'], ['valLoss', 'validation', 'dashed']]
      : [['trainAccuracy', 'train', 'solid'], ['valAccuracy', 'validation', 'dashed'], ['testAccuracy', 'test', 'dotted']]
  const series = (['a', 'b'] as const).flatMap((side) =>
    keys.map(([key, label, type]) => ({
      name: `${names[side]} ${label}`,
      type: 'line',
      symbolSize: 5,
      lineStyle: { color: RUN_COLORS[side], type },
      itemStyle: { color: RUN_COLORS[side] },
      data: overview[side].epochs.filter((e) => e[key] !== null).map((e) => [e.epoch, e[key]])
    }))
  )
  return {
    kind: 'chart',
    title: metric === 'loss' ? 'Loss of both runs' : 'Accuracy of both runs',
    option: {
      tooltip: { trigger: 'axis' },
      legend: {},
      grid: { left: 55, right: 20, top: 60, bottom: 40 },
      xAxis: { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 25, minInterval: 1, min: 'dataMin' },
      yAxis: metric === 'loss' ? { type: 'value', name: 'loss', scale: true } : { type: 'value', name: 'accuracy', min: 0, max: 1 },
      series
    }
  }
}

/** Both runs' histograms of one epoch as densities on the shared bins, overlaid. */
export function histogramOverlayFigure(h: WeightHistogramsResult, epochIndex: number, names: PairNames = { a: 'run A', b: 'run B' }): ChartFigure {
  const bins = h.edges.length - 1
  const curve = (counts: Uint32Array) => {
    const row = counts.subarray(epochIndex * bins, (epochIndex + 1) * bins)
    const total = row.reduce((s, v) => s + v, 0) || 1
    return Array.from(row, (c, k) => [(h.edges[k] + h.edges[k + 1]) / 2, c / total / (h.edges[k + 1] - h.edges[k] || 1)])
  }
  const side = (name: string, counts: Uint32Array, color: string) => ({ name, type: 'line', step: 'middle', showSymbol: false, data: curve(counts), lineStyle: { color }, itemStyle: { color }, areaStyle: { opacity: 0.18, color } })
  return {
    kind: 'chart',
    title: `${h.weight} at epoch ${h.epochs[epochIndex]}: both runs on shared bins`,
    option: {
      tooltip: { trigger: 'axis' },
      legend: {},
      grid: { left: 60, right: 20, top: 60, bottom: 40 },
      xAxis: { type: 'value', name: 'weight', nameLocation: 'middle', nameGap: 26, min: h.edges[0], max: h.edges[bins] },
      // Keep the density axis at the left edge, not at weight 0 where ECharts puts it by default.
      yAxis: { type: 'value', name: 'density', axisLine: { onZero: false } },
      series: [side(names.a, h.countsA, RUN_COLORS.a), side(names.b, h.countsB, RUN_COLORS.b)]
    }
  }
}

export function rangeOf(...arrays: Float32Array[]): { min: number; max: number } {
  let min = Infinity
  let max = -Infinity
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      if (Number.isNaN(a[i])) continue
      min = Math.min(min, a[i])
      max = Math.max(max, a[i])
    }
  }
  return Number.isFinite(min) ? { min, max: max > min ? max : min + 1 } : { min: 0, max: 1 }
}

export function difference(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i]
  return out
}

/** A on the same scale as its partner map (the caller passes the shared scale). */
export function sharedMapFigure(values: Float32Array, width: number, height: number, title: string, scale: ColorScale): HeatmapFigure {
  return { kind: 'heatmap', title, width, height, values, scale }
}

/** A − B on a diverging scale centred on zero, so where A is larger reads red and B larger blue. */
export function differenceFigure(diff: Float32Array, width: number, height: number, title: string, names: PairNames = LETTERS): HeatmapFigure {
  const r = rangeOf(diff)
  const bound = Math.max(Math.abs(r.min), Math.abs(r.max)) || 1
  return { kind: 'heatmap', title, width, height, values: diff, scale: { name: 'coolwarm', min: -bound, max: bound, label: `${names.a} − ${names.b}` } }
}

/** A run's energy map coloured through magma and laid over the mean input in grey. */
export function attentionOverlayFigure(result: AttentionResult, energy: Float32Array, scale: ColorScale, title: string, alpha = 0.6): ImageFigure {
  const { height, width, meanImage } = result
  const table = colorTable(scale.name)
  const span = scale.max > scale.min ? scale.max - scale.min : 1
  const values = new Float32Array(height * width * 3)
  for (let p = 0; p < height * width; p++) {
    const k = Math.max(0, Math.min(255, Math.round(((energy[p] - scale.min) / span) * 255))) * 4
    for (let c = 0; c < 3; c++) values[p * 3 + c] = (1 - alpha) * meanImage[p] + (alpha * table[k + c]) / 255
  }
  return { kind: 'image', title, width, height, channels: 3, values }
}

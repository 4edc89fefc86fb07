/**
 * Figure specs for weights over training (seed 004): a weight matrix or its mean/variance map,
 * per-epoch histograms (ridgeline or overlaid), and the change norms of every layer.
 */
import type { ChartFigure, ColorScale, ColorScaleName, HeatmapFigure } from '../figure'
import type { ChangeNormsResponse, MatrixView, WeightHistogram } from '../inspect'

/** A matrix view; signed maps get a diverging scale centred on zero so the sign reads at a glance. */
export function matrixFigure(view: MatrixView, title: string, scale: ColorScaleName, symmetric: boolean, label: string): HeatmapFigure {
  const bound = Math.max(Math.abs(view.min), Math.abs(view.max)) || 1
  return {
    kind: 'heatmap',
    title,
    width: view.cols,
    height: view.rows,
    values: view.data,
    scale: symmetric ? { name: scale, min: -bound, max: bound, label } : { name: scale, min: view.min, max: view.max > view.min ? view.max : view.min + 1, label },
    xLabel: `columns ${view.colOffset}–${view.colOffset + view.regionCols - 1}`,
    yLabel: `rows ${view.rowOffset}–${view.rowOffset + view.regionRows - 1}`
  }
}

/** Counts over bin width and total: densities comparable across epochs with different bin edges. */
function densities(h: WeightHistogram): [number, number][] {
  const total = h.counts.reduce((a, b) => a + b, 0) || 1
  const out: [number, number][] = []
  for (let b = 0; b < h.counts.length; b++) {
    const width = h.edges[b + 1] - h.edges[b] || 1
    out.push([(h.edges[b] + h.edges[b + 1]) / 2, h.counts[b] / total / width])
  }
  return out
}

export function histogramFigure(histograms: WeightHistogram[], name: string, mode: 'ridgeline' | 'overlaid'): ChartFigure {
  const curves = histograms.map(densities)
  const peak = Math.max(1e-12, ...curves.flatMap((c) => c.map((p) => p[1])))
  const ridge = mode === 'ridgeline'
  const series = curves.map((curve, k) => ({
    name: `epoch ${histograms[k].epoch}`,
    type: 'line',
    showSymbol: false,
    smooth: false,
    // A ridge is the density scaled to overlap its neighbour a little, stacked by epoch.
    data: ridge ? curve.map(([x, d]) => [x, k + (1.6 * d) / peak]) : curve,
    areaStyle: ridge ? { opacity: 0.35, origin: k } : undefined,
    z: ridge ? histograms.length - k : undefined
  }))
  return {
    kind: 'chart',
    title: `${name}: weight distribution per epoch`,
    ordered: { label: 'epoch' },
    table: { columns: ['epoch', 'weight', 'density'], rows: curves.flatMap((curve, k) => curve.map(([x, d]) => [histograms[k].epoch, x, d])) },
    option: {
      tooltip: { trigger: 'axis' },
      legend: {},
      grid: { left: 70, right: 20, top: 60, bottom: 40 },
      xAxis: { type: 'value', name: 'weight', nameLocation: 'middle', nameGap: 26, scale: true },
      // onZero false keeps the y axis at the left edge rather than at weight 0.
      yAxis: ridge
        ? { type: 'value', min: 0, max: histograms.length + 1, interval: 1, axisLabel: { show: false }, splitLine: { show: false }, axisLine: { onZero: false } }
        : { type: 'value', name: 'density', axisLine: { onZero: false } },
      series
    }
  }
}

export function changeNormFigure(norms: ChangeNormsResponse, relative: boolean, kernelsOnly: boolean): ChartFigure {
  const layers = norms.layers.filter((l) => !kernelsOnly || l.shape.length > 1)
  const epochs = norms.epochs.slice(1)
  return {
    kind: 'chart',
    title: relative ? 'Relative weight change ‖Wₑ − Wₑ₋₁‖ / ‖Wₑ₋₁‖ per layer' : 'Weight change ‖Wₑ − Wₑ₋₁‖ per layer',
    ordered: { label: 'layer' },
    option: {
      tooltip: { trigger: 'axis' },
      legend: {},
      grid: { left: 70, right: 20, top: 60, bottom: 40 },
      xAxis: { type: 'category', name: 'epoch', nameLocation: 'middle', nameGap: 26, data: epochs.map(String) },
      yAxis: { type: 'log', name: relative ? 'relative change' : 'change norm' },
      series: layers.map((l) => ({
        name: l.name,
        type: 'line',
        symbolSize: 5,
        data: Array.from((relative ? l.relativeChanges : l.changeNorms).subarray(1), (v) => (Number.isFinite(v) && v > 0 ? v : null))
      }))
    }
  }
}

/**
 * A conv kernel's per-weight statistic (mean or variance over training) as the kernel's own
 * shape: a row per filter, a kh×kw tile per input channel, on one colour scale for the layer.
 * `matrix` is the full, unpooled layout matrix (rows = filters, cols = (input·kh + y)·kw + x).
 */
export function kernelStatRows(matrix: MatrixView, shape: number[], which: 'mean' | 'variance'): { scale: ColorScale; rows: HeatmapFigure[] } {
  const [kh, kw, inputs, filters] = shape
  let extent = 0
  for (let i = 0; i < matrix.data.length; i++) extent = Math.max(extent, Math.abs(matrix.data[i]))
  if (extent === 0) extent = 1
  const scale: ColorScale = which === 'mean' ? { name: 'coolwarm', min: -extent, max: extent, label: 'mean weight' } : { name: 'viridis', min: 0, max: extent, label: 'variance' }
  const width = inputs * (kw + 1) - 1
  const rows = Array.from({ length: filters }, (_, f): HeatmapFigure => {
    const values = new Float32Array(width * kh).fill(NaN)
    for (let i = 0; i < inputs; i++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) values[y * width + i * (kw + 1) + x] = matrix.data[f * matrix.cols + (i * kh + y) * kw + x]
      }
    }
    return { kind: 'heatmap', title: `${which} of filter ${f}`, width, height: kh, values, scale }
  })
  return { scale, rows }
}

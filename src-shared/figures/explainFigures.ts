/**
 * Figure specs of the Explain page: occlusion maps (a categorical label map with its legend),
 * gradient maps over the image, projections to pixel space, invariance curves and pointing
 * figures. Shared by the renderer and the CLI's PNG output.
 */
import type { ChartFigure, HeatmapFigure, ImageFigure } from '../figure'
import { attributionInfo, type AttributionMethod, type InvarianceResponse, type OcclusionResponse, type PointingResponse } from '../explain'

/** Distinct colours for class labels (Tableau 10, then 10 more), as 0..255 RGB. */
export const categoricalColors: [number, number, number][] = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207],
  [174, 199, 232], [255, 187, 120], [152, 223, 138], [255, 152, 150], [197, 176, 213],
  [196, 156, 148], [247, 182, 210], [199, 199, 199], [219, 219, 141], [158, 218, 229]
]

export const categoricalCss = (k: number): string => `rgb(${categoricalColors[k % categoricalColors.length].join(',')})`

/** Occlusion maps (a) and (b) over the square's positions. */
export function occlusionHeatmaps(r: OcclusionResponse): { activation: HeatmapFigure; probability: HeatmapFigure } {
  const width = r.lefts.length
  const height = r.tops.length
  let min = Infinity
  let max = -Infinity
  for (const v of r.activation) {
    min = Math.min(min, v)
    max = Math.max(max, v)
  }
  const className = r.classNames[r.class] ?? String(r.class)
  return {
    activation: {
      kind: 'heatmap',
      title: `(a) total activation of ${r.layer} map ${r.channel}`,
      width,
      height,
      values: r.activation,
      scale: { name: 'viridis', min: Math.min(min, r.unoccluded.activation), max: Math.max(max, r.unoccluded.activation), label: 'total activation' }
    },
    probability: { kind: 'heatmap', title: `(b) P(${className})`, width, height, values: r.probability, scale: { name: 'viridis', min: 0, max: 1, label: `P(${className})` } }
  }
}

/** (c): the most probable label at each position, one colour per class, and the legend of the classes that occur. */
export function occlusionLabelFigure(r: OcclusionResponse): { figure: ImageFigure; legend: { label: number; name: string; color: string; count: number }[] } {
  const width = r.lefts.length
  const height = r.tops.length
  const values = new Float32Array(width * height * 3)
  const counts = new Map<number, number>()
  r.label.forEach((label, p) => {
    const c = categoricalColors[label % categoricalColors.length]
    for (let k = 0; k < 3; k++) values[p * 3 + k] = c[k] / 255
    counts.set(label, (counts.get(label) ?? 0) + 1)
  })
  const legend = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([label, count]) => ({ label, name: r.classNames[label] ?? String(label), color: categoricalCss(label), count }))
  return { figure: { kind: 'image', title: '(c) most probable label', width, height, channels: 3, values }, legend }
}

/** A map as a heatmap at input resolution, from 0 to its largest value. */
export function positiveMapFigure(values: Float32Array, width: number, height: number, title: string, label: string): HeatmapFigure {
  let max = 0
  for (const v of values) max = Math.max(max, v)
  return { kind: 'heatmap', title, width, height, values, scale: { name: 'magma', min: 0, max: max > 0 ? max : 1, label } }
}

/** How a projection to pixel space is shown: 0.5 + v / (2·max|v|), per image, all channels together. */
export const PROJECTION_SCALE = 'grey 0.5 = 0, symmetric: 0.5 + v / (2·max|v|)'

/** A projection to pixel space (H×W×C, signed) as an image; NaN (outside the image) stays transparent. */
export function projectionFigure(values: Float32Array, width: number, height: number, channels: number, title: string): ImageFigure {
  return { kind: 'image', title, width, height, channels: channels === 3 ? 3 : 1, values: normalisedProjection(values) }
}

/** A class's map (occlusion, Grad-CAM, saliency) over the input as a heat map from 0, titled with the layer where the method has one. */
export function attributionHeatmap(method: AttributionMethod, values: Float32Array, input: { width: number; height: number }, layer?: string): HeatmapFigure {
  const { label, scale } = attributionInfo[method]
  return positiveMapFigure(values, input.width, input.height, layer ? `${label} at ${layer}` : label, scale)
}

/** A unit's projection to pixels (deconvnet, guided backpropagation) as an image. */
export function attributionImage(method: AttributionMethod, values: Float32Array, input: { width: number; height: number; channels: number }): ImageFigure {
  return projectionFigure(values, input.width, input.height, input.channels, attributionInfo[method].label)
}

const seriesColor = (i: number): string => categoricalCss(i)

/** One invariance panel: a curve per image (thin) and the mean (thick, dark), against the amount. */
export function invarianceChart(r: InvarianceResponse, panel: { kind: 'distance'; layer: number } | { kind: 'probability' }, dark = false): ChartFigure {
  const curves = panel.kind === 'distance' ? r.distance[panel.layer] : r.probability
  const mean = panel.kind === 'distance' ? r.meanDistance[panel.layer] : r.meanProbability
  const title = panel.kind === 'distance' ? `Feature distance at ${r.layers[panel.layer]}` : 'P(true class)'
  const series = [
    ...curves.map((c, i) => ({ name: (r.images[i]?.source ?? `image ${i + 1}`).split(' (')[0], type: 'line', data: r.amounts.map((a, k) => [a, c[k]]), symbolSize: 4, lineStyle: { width: 1.2 }, itemStyle: { color: seriesColor(i) } })),
    { name: 'mean', type: 'line', data: r.amounts.map((a, k) => [a, mean[k]]), symbolSize: 6, lineStyle: { width: 3 }, itemStyle: { color: dark ? '#f2f2f2' : '#222' } }
  ]
  return {
    kind: 'chart',
    title,
    option: {
      tooltip: { trigger: 'axis' },
      legend: { type: 'scroll', bottom: 0 },
      grid: { left: 64, right: 16, top: 40, bottom: 64 },
      xAxis: { type: 'value', name: r.unit, nameLocation: 'middle', nameGap: 26, min: r.amounts[0], max: r.amounts[r.amounts.length - 1] },
      yAxis: { type: 'value', min: 0, ...(panel.kind === 'probability' ? { max: 1 } : {}), name: panel.kind === 'probability' ? 'probability' : '‖f(Tx) − f(x)‖₂', nameLocation: 'middle', nameGap: 44, axisLine: { onZero: false } },
      series
    }
  }
}

/** Pointing figures as bars: each method's share of positive mass inside each region, with the region's area share. */
export function pointingChart(r: PointingResponse, title: string): ChartFigure {
  const attributes = r.methods[0]?.regions.map((g) => g.attribute) ?? []
  const pct = (v: number) => Number((v * 100).toFixed(2))
  const series = [
    { name: 'area share', type: 'bar', data: attributes.map((a) => pct(r.methods[0].regions.find((g) => g.attribute === a)!.area.mean)), itemStyle: { color: '#9e9e9e' } },
    ...r.methods.map((m, i) => ({ name: attributionInfo[m.method].label, type: 'bar', data: attributes.map((a) => pct(m.regions.find((g) => g.attribute === a)!.share.mean)), itemStyle: { color: categoricalCss(i) } }))
  ]
  return {
    kind: 'chart',
    title,
    option: {
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 56, right: 16, top: 40, bottom: 48 },
      xAxis: { type: 'category', data: attributes.map((a) => `${a} region`) },
      yAxis: { type: 'value', name: '% of positive mass', max: 100 },
      series
    }
  }
}

/** Tiles (h×w×c each, NaN transparent) laid out in rows of `perRow` with a one-pixel gap. */
export function mosaicFigure(tiles: Float32Array[], h: number, w: number, channels: number, perRow: number, title: string): ImageFigure {
  const rows = Math.max(1, Math.ceil(tiles.length / perRow))
  const cols = Math.min(perRow, Math.max(1, tiles.length))
  const width = cols * (w + 1) - 1
  const height = rows * (h + 1) - 1
  const c = channels === 3 ? 3 : 1
  const values = new Float32Array(width * height * c).fill(NaN)
  tiles.forEach((tile, t) => {
    const top = Math.floor(t / perRow) * (h + 1)
    const left = (t % perRow) * (w + 1)
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) values[((top + y) * width + left + x) * c + k] = tile[(y * w + x) * c + k]
  })
  return { kind: 'image', title, width, height, channels: c, values }
}

/** Each projection scaled on its own (0.5 + v / 2·max|v|), as the tiles of a mosaic. */
export function normalisedProjection(values: Float32Array): Float32Array {
  let m = 0
  for (const v of values) if (!Number.isNaN(v)) m = Math.max(m, Math.abs(v))
  const s = m > 0 ? 1 / (2 * m) : 0
  return Float32Array.from(values, (v) => (Number.isNaN(v) ? NaN : 0.5 + v * s))
}

/**
 * Figure export time: a 4096×4096 weight map to PNG at 300 DPI (6 in wide, and at its native
 * resolution, one pixel per weight), the same map to SVG and PDF, and a four-panel composition
 * to SVG, PNG at 300 DPI and PDF; then a six-panel A0 portrait poster (print-size type) to PDF,
 * SVG and PNG at 300 DPI. Prints milliseconds per export (median of --rounds) and the file sizes.
 *
 *   node --import tsx bench/figures.ts [--rounds 3] [--poster-only]
 */
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import type { ExportOptions, FigureSpec, HeatmapFigure } from '../src-shared/figure'
import { CompositionLayout } from '../src-shared/figureSet'
import { curvesFigure } from '../src-shared/figures/compareFigures'
import { bodyTypeFor, PAGE_SIZES } from '../src-shared/figures/pageSizes'
import type { CompareOverview } from '../src-shared/compare'
import { compositionDrawing, compositionStyle } from '../src-main/engine/figures/composition'
import { exportFigure, renderDrawing } from '../src-main/engine/figures/exportFigure'

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, 'poster-only': { type: 'boolean' } } })
const rounds = Math.max(1, Number(values.rounds))

function weightMap(n: number): HeatmapFigure {
  const data = new Float32Array(n * n)
  let s = 12345
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff
    data[i] = (s / 0x7fffffff - 0.5) * 0.2 + 0.05 * Math.sin(i / 4096)
  }
  return { kind: 'heatmap', title: `dense/kernel ${n}×${n}`, width: n, height: n, values: data, scale: { name: 'coolwarm', min: -0.15, max: 0.15, label: 'weight' }, xLabel: 'input', yLabel: 'output' }
}

function lossCurves(): FigureSpec {
  const epochs = (scale: number) => Array.from({ length: 30 }, (_, e) => ({ epoch: e + 1, trainLoss: scale / (e + 1), valLoss: (scale * 1.1) / (e + 1), trainAccuracy: 0.5, valAccuracy: 0.5, testLoss: null, testAccuracy: 0.5, imagesPerSecond: 1, durationMs: 1 }))
  return curvesFigure({ a: { epochs: epochs(1) }, b: { epochs: epochs(1.3) } } as unknown as CompareOverview, 'loss')
}

async function time(label: string, work: () => Promise<{ bytes: Uint8Array; widthPx?: number; heightPx?: number }>): Promise<number> {
  const times: number[] = []
  let last: { bytes: Uint8Array; widthPx?: number; heightPx?: number } | null = null
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now()
    last = await work()
    times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)
  const median = times[Math.floor(times.length / 2)]
  const size = last?.widthPx ? ` ${last.widthPx}×${last.heightPx} px` : ''
  console.log(`${label.padEnd(44)} ${median.toFixed(0).padStart(7)} ms   ${((last?.bytes.byteLength ?? 0) / 1e6).toFixed(2).padStart(7)} MB${size}`)
  return median
}

const map = weightMap(4096)
const png: ExportOptions = { format: 'png', dpi: 300, widthIn: 6 }
console.log(`figure export, median of ${rounds} rounds; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
if (!values['poster-only']) await singleFigures()
await poster()

async function singleFigures(): Promise<void> {
  const pngMs = await time('4096×4096 weight map → PNG 300 DPI, 6 in', () => exportFigure(map, png))
  const nativeMs = await time('4096×4096 weight map → PNG, 1 px per weight', () => exportFigure(map, { format: 'png', dpi: 300, cellPx: 1 }))
  await time('4096×4096 weight map → SVG (native image)', () => exportFigure(map, { format: 'svg' }))
  await time('4096×4096 weight map → PDF', () => exportFigure(map, { format: 'pdf' }))
  await time('two-run loss chart → PNG 300 DPI, 6 in', () => exportFigure(lossCurves(), png))

  const small = weightMap(256)
  const layout = CompositionLayout.parse({ rows: 2, cols: 2, widthIn: 10, heightIn: 7, panels: [0, 1, 2, 3].map((i) => ({ figureId: `f${i}`, row: Math.floor(i / 2), col: i % 2, caption: `Panel ${i + 1}.` })) })
  const sources = [{ spec: lossCurves() }, { spec: small }, { spec: lossCurves() }, { spec: map }]
  for (const format of ['svg', 'png', 'pdf'] as const) {
    await time(`4-panel composition (one 4096² map) → ${format.toUpperCase()}${format === 'png' ? ' 300 DPI' : ''}`, () =>
      renderDrawing((mode) => compositionDrawing(layout, sources, mode), { format, dpi: 300 }, compositionStyle(layout))
    )
  }
  console.log(`native-resolution PNG / 6-inch PNG time: ${(nativeMs / pngMs).toFixed(2)}`)
}

/** Six panels on A0 portrait (841 × 1189 mm), as `featurelens compose --size a0-portrait --grid 3x2` builds it. */
async function poster(): Promise<void> {
  const a0 = PAGE_SIZES['a0-portrait']
  const layout = CompositionLayout.parse({
    title: 'What two networks learn from the same faces',
    rows: 3,
    cols: 2,
    widthIn: a0.widthIn,
    heightIn: a0.heightIn,
    fontSize: bodyTypeFor(a0.widthIn, a0.heightIn),
    panels: Array.from({ length: 6 }, (_, i) => ({ figureId: `f${i}`, row: Math.floor(i / 2), col: i % 2, caption: `Panel ${i + 1}: what it shows, in one sentence.` }))
  })
  const sources = [{ spec: lossCurves() }, { spec: lossCurves() }, { spec: weightMap(256) }, { spec: weightMap(64) }, { spec: weightMap(512) }, { spec: weightMap(32) }]
  for (const format of ['pdf', 'svg', 'png'] as const) {
    await time(`6-panel A0 portrait poster → ${format.toUpperCase()}${format === 'png' ? ' 300 DPI' : ''}`, () =>
      renderDrawing((mode) => compositionDrawing(layout, sources, mode), { format, dpi: 300 }, compositionStyle(layout))
    )
  }
}

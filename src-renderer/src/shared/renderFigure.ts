/**
 * The one module that turns a figure spec into pixels on screen. Charts go through ECharts;
 * heatmaps are painted on a canvas through the shared colour tables, so every view draws (and
 * later exports) the same way.
 */
import { BarChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts'
import { DataZoomComponent, GraphicComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent, VisualMapComponent } from 'echarts/components'
import * as echarts from 'echarts/core'
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers'
import { valuesToRgba } from '../../../src-shared/colormaps'
import type { ChartFigure, FigureSpec, HeatmapFigure, ImageFigure } from '../../../src-shared/figure'
import { styledChartOption } from '../../../src-shared/figures/chartStyle'

echarts.use([BarChart, LineChart, HeatmapChart, ScatterChart, GraphicComponent, GridComponent, TooltipComponent, LegendComponent, TitleComponent, DataZoomComponent, VisualMapComponent, CanvasRenderer, SVGRenderer])

export interface MountedFigure {
  update(spec: FigureSpec): void
  resize(): void
  dispose(): void
}

export function heatmapToCanvas(spec: HeatmapFigure, canvas: HTMLCanvasElement): void {
  canvas.width = spec.width
  canvas.height = spec.height
  const ctx = canvas.getContext('2d')
  if (!ctx) return
  const pixels = valuesToRgba(spec.values, spec.scale.min, spec.scale.max, spec.scale.name)
  ctx.putImageData(new ImageData(pixels, spec.width, spec.height), 0, 0)
}

/** True-colour pixels in 0..1 (grey repeated to RGB); NaN stays transparent. */
export function imageToCanvas(spec: ImageFigure, canvas: HTMLCanvasElement): void {
  canvas.width = spec.width
  canvas.height = spec.height
  const ctx = canvas.getContext('2d')
  if (!ctx) return
  const n = spec.width * spec.height
  const pixels = new Uint8ClampedArray(n * 4)
  for (let p = 0; p < n; p++) {
    const first = spec.values[p * spec.channels]
    if (Number.isNaN(first)) continue
    for (let c = 0; c < 3; c++) pixels[p * 4 + c] = Math.round(255 * spec.values[p * spec.channels + (spec.channels === 3 ? c : 0)])
    pixels[p * 4 + 3] = 255
  }
  ctx.putImageData(new ImageData(pixels, spec.width, spec.height), 0, 0)
}

function mountChart(el: HTMLElement, spec: ChartFigure, dark: boolean): MountedFigure {
  const chart = echarts.init(el, dark ? 'dark' : undefined, { renderer: 'canvas' })
  let current = spec
  // The same styled option the exports draw (palette, legend rows, number formats), on the page's background.
  const apply = (s: ChartFigure): void => {
    current = s
    chart.setOption(styledChartOption(s, { theme: dark ? 'dark' : 'light', background: 'transparent', width: el.clientWidth || 600 }), true)
  }
  apply(spec)
  return {
    update: (s) => (s.kind === 'chart' ? apply(s) : undefined),
    resize: () => {
      chart.resize()
      apply(current)
    },
    dispose: () => chart.dispose()
  }
}

function mountRaster(el: HTMLElement, spec: HeatmapFigure | ImageFigure): MountedFigure {
  const canvas = document.createElement('canvas')
  canvas.className = 'heatmap-canvas'
  canvas.style.imageRendering = 'pixelated'
  canvas.style.width = '100%'
  canvas.style.height = '100%'
  canvas.style.objectFit = 'contain'
  el.replaceChildren(canvas)
  const draw = (s: FigureSpec): void => (s.kind === 'heatmap' ? heatmapToCanvas(s, canvas) : s.kind === 'image' ? imageToCanvas(s, canvas) : undefined)
  draw(spec)
  return {
    update: draw,
    resize: () => undefined,
    dispose: () => canvas.remove()
  }
}

export function mountFigure(el: HTMLElement, spec: FigureSpec, dark: boolean): MountedFigure {
  return spec.kind === 'chart' ? mountChart(el, spec, dark) : mountRaster(el, spec)
}

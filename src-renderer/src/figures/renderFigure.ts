/**
 * The one module that turns a figure spec into pixels on screen. Charts go through ECharts;
 * heatmaps are painted on a canvas through the shared colour tables, so every view draws (and
 * later exports) the same way.
 */
import { BarChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts'
import { DataZoomComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent, VisualMapComponent } from 'echarts/components'
import * as echarts from 'echarts/core'
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers'
import { valuesToRgba } from '../../../src-shared/colormaps'
import type { ChartFigure, FigureSpec, HeatmapFigure } from '../../../src-shared/figure'

echarts.use([BarChart, LineChart, HeatmapChart, ScatterChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, DataZoomComponent, VisualMapComponent, CanvasRenderer, SVGRenderer])

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

function mountChart(el: HTMLElement, spec: ChartFigure, dark: boolean): MountedFigure {
  const chart = echarts.init(el, dark ? 'dark' : undefined, { renderer: 'canvas' })
  const apply = (s: ChartFigure): void => {
    chart.setOption({ backgroundColor: 'transparent', ...(s.title ? { title: { text: s.title, left: 'center', textStyle: { fontSize: 13 } } } : {}), ...s.option }, true)
  }
  apply(spec)
  return {
    update: (s) => (s.kind === 'chart' ? apply(s) : undefined),
    resize: () => chart.resize(),
    dispose: () => chart.dispose()
  }
}

function mountHeatmap(el: HTMLElement, spec: HeatmapFigure): MountedFigure {
  const canvas = document.createElement('canvas')
  canvas.className = 'heatmap-canvas'
  canvas.style.imageRendering = 'pixelated'
  canvas.style.width = '100%'
  canvas.style.height = '100%'
  canvas.style.objectFit = 'contain'
  el.replaceChildren(canvas)
  heatmapToCanvas(spec, canvas)
  return {
    update: (s) => (s.kind === 'heatmap' ? heatmapToCanvas(s, canvas) : undefined),
    resize: () => undefined,
    dispose: () => canvas.remove()
  }
}

export function mountFigure(el: HTMLElement, spec: FigureSpec, dark: boolean): MountedFigure {
  return spec.kind === 'chart' ? mountChart(el, spec, dark) : mountHeatmap(el, spec)
}

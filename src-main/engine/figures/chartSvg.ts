/**
 * Charts to SVG on the server: ECharts' server-side SVG renderer, from the same styled option
 * the screen draws. Hover styles and class names are dropped, so the file depends on no CSS.
 */
import * as echarts from 'echarts'
import type { ChartFigure } from '../../../src-shared/figure'
import { styledChartOption, type ChartStyle } from '../../../src-shared/figures/chartStyle'

export interface SvgBox {
  width: number
  height: number
}

/** The chart's SVG body (no XML prologue) at width × height user units (CSS px, 96 per inch). */
export function chartToSvg(spec: ChartFigure, box: SvgBox, style: Omit<ChartStyle, 'width'>): string {
  const chart = echarts.init(null, undefined, { renderer: 'svg', ssr: true, width: box.width, height: box.height })
  try {
    chart.setOption(styledChartOption(spec, { ...style, width: box.width }))
    return cleanSvg(chart.renderToSVGString())
  } finally {
    chart.dispose()
  }
}

/** Removes ECharts' hover stylesheet, class names and pointer hints: plain presentation attributes remain. */
export function cleanSvg(svg: string): string {
  return svg
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/\s(class|pointer-events)="[^"]*"/g, '')
}

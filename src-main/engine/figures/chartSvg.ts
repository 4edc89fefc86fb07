/**
 * Charts to SVG on the server: ECharts' server-side SVG renderer, from the same styled option
 * the screen draws. Hover styles and class names are dropped, so the file depends on no CSS.
 */
import * as echarts from 'echarts'
import { ApiError } from '../../../src-shared/errors'
import type { ChartFigure } from '../../../src-shared/figure'
import { chartImageProblem, MAX_CHART_IMAGES_PIXELS, pngDataUrlSize } from '../../../src-shared/figures/chartImages'
import { styledChartOption, type ChartStyle } from '../../../src-shared/figures/chartStyle'

export interface SvgBox {
  width: number
  height: number
}

/** The chart's SVG body (no XML prologue) at width × height user units (CSS px, 96 per inch). */
export function chartToSvg(spec: ChartFigure, box: SvgBox, style: Omit<ChartStyle, 'width'>): string {
  // A saved spec may predate the request check: the same rule again before anything is drawn.
  const problem = chartImageProblem(spec.option)
  if (problem) throw new ApiError('invalid_request', problem)
  const chart = echarts.init(null, undefined, { renderer: 'svg', ssr: true, width: box.width, height: box.height })
  try {
    chart.setOption(styledChartOption(spec, { ...style, width: box.width }))
    return checkedReferences(cleanSvg(chart.renderToSVGString()))
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

/**
 * The rendered chart may point only inside itself (#id) or at small PNG data URLs, whatever in
 * the option produced the reference: the PNG and PDF writers would load any other file or address.
 */
export function checkedReferences(svg: string): string {
  let pixels = 0
  for (const match of svg.matchAll(/\s(?:xlink:)?href\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    const target = match[1] ?? match[2]
    if (target.startsWith('#')) continue
    const size = pngDataUrlSize(target)
    if (typeof size === 'string') throw new ApiError('invalid_request', `the chart draws an image that ${size}`)
    pixels += size.width * size.height
    if (pixels > MAX_CHART_IMAGES_PIXELS) throw new ApiError('invalid_request', `the chart draws images of more than ${MAX_CHART_IMAGES_PIXELS / (1024 * 1024)} megapixels in all; use fewer or smaller images`)
  }
  // In attribute values only (fill="url(#g)", style="fill:url(#g)"); text content may say anything.
  for (const match of svg.matchAll(/\s[\w:-]+\s*=\s*"[^"]*?url\(\s*'?([^)']*)/g)) {
    if (!match[1].startsWith('#')) throw new ApiError('invalid_request', `the chart refers to "${match[1].slice(0, 80)}"; a chart may refer only to its own gradients and patterns`)
  }
  return svg
}

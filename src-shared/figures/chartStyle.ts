/**
 * How every chart reads, on screen and in exports: one pass over a chart spec's ECharts option
 * that sets the theme, the font, a colour-blind-safe palette with line styles as a second cue
 * (or a sequential scale with a colour bar for many ordered series), a title clear of a legend
 * that wraps instead of paging, and formatted axis numbers. Builders stay plain data; this adds
 * the functions (formatters) at render time.
 */
import { colorTable } from '../colormaps'
import type { ChartFigure, FigureTheme } from '../figure'

/**
 * Categorical colours safe for the common colour-vision deficiencies (Paul Tol's bright and
 * vibrant sets), readable on white and on the dark slide background alike.
 */
export const CATEGORICAL = ['#4477AA', '#EE6677', '#228833', '#CCBB44', '#66CCEE', '#AA3377', '#EE7733', '#009988', '#BBBBBB', '#CC3311', '#999933', '#0077BB']

/** Beyond this many ordered series, colour runs along a sequential scale with a colour bar. */
export const MAX_CATEGORICAL = 12

export const LINE_TYPES = ['solid', 'dashed', 'dotted'] as const
export const SYMBOLS = ['circle', 'rect', 'triangle', 'diamond'] as const

export interface ThemeColors {
  background: string
  text: string
  muted: string
  axis: string
  split: string
}

export const THEMES: Record<FigureTheme, ThemeColors> = {
  light: { background: '#ffffff', text: '#1f2329', muted: '#4a4f57', axis: '#5c6370', split: '#e3e6ea' },
  dark: { background: '#16181d', text: '#eef0f3', muted: '#c3c8d0', axis: '#9aa1ad', split: '#343943' }
}

export const DEFAULT_FONT = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif'

export interface ChartStyle {
  theme: FigureTheme
  /** 'transparent' on screen (the page shows through); a colour in exports. */
  background?: string
  fontFamily?: string
  fontSize?: number
  /** Drawing width in px, to lay the legend out in rows. */
  width: number
  /** Title size (default: one more than fontSize). */
  titleSize?: number
  /**
   * Print type: no text of the chart is smaller than this (a spec's own small tick or cell
   * labels are raised to it), and lines and markers thicken with the type.
   */
  minFontSize?: number
}

/** Raises every fontSize below `min` in an option tree to `min` (print type). */
function raiseFontSizes(node: unknown, min: number): unknown {
  if (Array.isArray(node)) return node.map((n) => raiseFontSizes(n, min))
  if (!isObj(node)) return node
  const out: Obj = {}
  for (const [key, value] of Object.entries(node)) out[key] = key === 'fontSize' && typeof value === 'number' ? Math.max(value, min) : raiseFontSizes(value, min)
  return out
}

/** Axis and tooltip numbers: at most four significant digits, exponent for the very small or large. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v)
  if (v === 0) return '0'
  const a = Math.abs(v)
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1).replace('e+', 'e')
  return String(Number(v.toPrecision(4)))
}

/** Short labels under small tiles: two significant digits, an exponent below 0.01 (0.00004 → 4.0e-5). */
export function formatCompact(v: number): string {
  if (!Number.isFinite(v)) return String(v)
  const a = Math.abs(v)
  if (a === 0) return '0'
  if (a >= 100) return v.toFixed(0)
  if (a < 0.01) return v.toExponential(1)
  return String(Number(v.toPrecision(2)))
}

/**
 * Colour of series `i` of `n` on a sequential scale: viridis, kept off its palest end on light
 * backgrounds and off its darkest end on dark ones.
 */
export function sequentialColor(i: number, n: number, theme: FigureTheme = 'light'): string {
  const table = colorTable('viridis')
  const [from, to] = theme === 'dark' ? [60, 255] : [0, 230]
  const k = Math.round(from + (n > 1 ? i / (n - 1) : 0) * (to - from)) * 4
  return `rgb(${table[k]},${table[k + 1]},${table[k + 2]})`
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const asList = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : isObj(v) ? [v] : [])

/** The object with the named numbers multiplied by k (defaults for the ones it lacks): room that grows with print type. */
function scaleNumbers(o: Obj, keys: string[], k: number, defaults: Obj = {}): Obj {
  if (k === 1) return o
  const out: Obj = { ...o }
  for (const key of keys) {
    const v = o[key] ?? defaults[key]
    if (typeof v === 'number') out[key] = v * k
  }
  return out
}

function styleAxis(axis: unknown, colors: ThemeColors, fontSize: number, weight = 1): unknown {
  return asList(axis).map((raw) => {
    const a = scaleNumbers(raw, ['nameGap'], weight)
    const labels = isObj(a.axisLabel) ? a.axisLabel : {}
    const numeric = a.type === 'value' || a.type === 'log' || a.type === undefined
    return {
      ...a,
      nameTextStyle: { color: colors.muted, fontSize, ...(isObj(a.nameTextStyle) ? a.nameTextStyle : {}) },
      axisLine: { ...(isObj(a.axisLine) ? a.axisLine : {}), lineStyle: { color: colors.axis } },
      axisTick: { lineStyle: { color: colors.axis } },
      splitLine: isObj(a.splitLine) && a.splitLine.show === false ? a.splitLine : { lineStyle: { color: colors.split } },
      axisLabel: { color: colors.muted, fontSize: Math.max(8, fontSize - 1), hideOverlap: true, ...labels, ...(numeric ? { formatter: (v: number) => formatNumber(v) } : {}) }
    }
  })
}

/** Rows the legend needs at this width (entries wrap; they never page or truncate). */
export function legendRows(names: string[], width: number, fontSize: number): number {
  let rows = 1
  let x = 0
  const avail = Math.max(80, width - 40)
  for (const name of names) {
    const w = 22 + 5 + name.length * fontSize * 0.6 + 16
    if (x > 0 && x + w > avail) {
      rows++
      x = 0
    }
    x += w
  }
  return rows
}

/** A title broken at spaces into lines that fit the width (bold type, about 0.65 em a character): it wraps, never clips. */
export function wrapTitle(title: string, width: number, fontSize: number): string[] {
  const perLine = Math.max(8, Math.floor(width / (fontSize * 0.65)))
  const lines: string[] = []
  for (const word of title.split(/\s+/).filter(Boolean)) {
    const last = lines.length - 1
    if (last >= 0 && lines[last].length + 1 + word.length <= perLine) lines[last] += ` ${word}`
    else lines.push(word)
  }
  return lines
}

/** The colour bar of ordered series: a gradient strip with its first and last names. */
function orderedColorBar(names: string[], label: string, theme: FigureTheme, fontSize: number, top: number): Obj[] {
  const colors = THEMES[theme]
  const stops = Array.from({ length: 9 }, (_, i) => ({ offset: i / 8, color: sequentialColor(i, 9, theme) }))
  return [
    { type: 'text', right: 20, top, style: { text: `${label}: ${names[0]} → ${names[names.length - 1]}`, fill: colors.muted, fontSize, align: 'right' } },
    { type: 'rect', right: 20, top: top + fontSize + 4, shape: { width: 160, height: 8 }, style: { fill: { type: 'linear', x: 0, y: 0, x2: 1, y2: 0, colorStops: stops } } }
  ]
}

/** The styled ECharts option of a chart spec: what both the screen and the exports draw. */
export function styledChartOption(spec: ChartFigure, style: ChartStyle): Obj {
  const colors = THEMES[style.theme]
  const fontSize = style.fontSize ?? 12
  const fontFamily = style.fontFamily ?? DEFAULT_FONT
  // Lines and markers thicken with print type; on screen (12 px type) they stay as they are.
  const weight = Math.max(1, fontSize / 12)
  const option = spec.option as Obj
  const series = asList(option.series)
  const names = series.map((s) => (typeof s.name === 'string' ? s.name : ''))
  const sequential = Boolean(spec.ordered) && series.length > MAX_CATEGORICAL
  const styledSeries = series.map((s, i) => {
    const line = isObj(s.lineStyle) ? s.lineStyle : {}
    const item = isObj(s.itemStyle) ? s.itemStyle : {}
    const color = (line.color as string | undefined) ?? (item.color as string | undefined) ?? (sequential ? sequentialColor(i, series.length, style.theme) : CATEGORICAL[i % CATEGORICAL.length])
    // Line style as a second cue: solid, dashed, dotted in turn (one style along an ordered scale).
    const type = line.type ?? (sequential ? 'solid' : LINE_TYPES[i % LINE_TYPES.length])
    // Marker shape as a third cue, so lines that coincide (validation on test) stay apart.
    const symbol = s.symbol ?? (sequential ? 'circle' : SYMBOLS[i % SYMBOLS.length])
    if (s.type === 'line') return { ...s, symbol, ...(weight > 1 ? { symbolSize: 4 * weight } : {}), lineStyle: { width: 1.8 * weight, ...line, color, type }, itemStyle: { ...item, color } }
    if (s.type === 'bar') return { ...s, itemStyle: { ...item, color } }
    return s
  })
  const hasLegend = option.legend !== undefined && !sequential && names.some(Boolean)
  const titleSize = style.titleSize ?? fontSize + 1
  const title = spec.title ? wrapTitle(spec.title, Math.max(60, style.width - 24), titleSize) : []
  const titleH = title.length ? title.length * (titleSize + 5) + 8 : 4
  const rows = hasLegend ? legendRows(names.filter(Boolean), style.width, fontSize) : 0
  const legendH = hasLegend ? rows * (fontSize + 10) : sequential ? fontSize + 18 : 0
  const grid = scaleNumbers(isObj(option.grid) ? option.grid : {}, ['left', 'right', 'bottom'], weight)
  // Room for the y axis name above the plot, below the title and the legend.
  const yName = asList(option.yAxis).some((a) => typeof a.name === 'string' && a.name && a.nameLocation !== 'middle')
  const top = titleH + legendH + (yName ? fontSize + 22 : 10)
  const visualMap = isObj(option.visualMap) ? { ...scaleNumbers(option.visualMap, ['itemWidth', 'itemHeight'], weight, { itemWidth: 20, itemHeight: 140 }), textStyle: { color: colors.muted, fontSize } } : option.visualMap
  const graphics = sequential ? orderedColorBar(names, spec.ordered?.label ?? 'order', style.theme, Math.max(8, fontSize - 1), titleH) : []
  const styled: Obj = {
    animation: false,
    ...option,
    backgroundColor: style.background ?? colors.background,
    color: CATEGORICAL,
    textStyle: { fontFamily, fontSize, color: colors.text },
    title: title.length ? { text: title.join('\n'), left: 'center', top: 4, textStyle: { fontSize: titleSize, lineHeight: titleSize + 5, fontWeight: 'bold', color: colors.text, fontFamily } } : undefined,
    legend: hasLegend ? { ...(isObj(option.legend) ? option.legend : {}), type: 'plain', top: titleH, left: 20, right: 20, textStyle: { color: colors.text, fontSize: Math.max(8, fontSize - 1) }, itemWidth: 22 * weight, itemHeight: 14 * weight, itemGap: 16 * weight } : { show: false },
    grid: { ...grid, top },
    tooltip: isObj(option.tooltip) ? { ...option.tooltip, valueFormatter: (v: unknown) => (typeof v === 'number' ? formatNumber(v) : String(v)) } : option.tooltip,
    xAxis: styleAxis(option.xAxis, colors, fontSize, weight),
    yAxis: styleAxis(option.yAxis, colors, fontSize, weight),
    ...(visualMap ? { visualMap } : {}),
    ...(graphics.length ? { graphic: graphics } : {}),
    series: styledSeries
  }
  return style.minFontSize ? (raiseFontSizes(styled, style.minFontSize) as Obj) : styled
}

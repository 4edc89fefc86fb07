/**
 * The words on a figure, as the user wants them: its title, axis names, legend entries and
 * colour-bar label, each replaced or hidden (an empty string hides it). Applied to a spec as a
 * layer over what the builders generated, so every export of the figure uses the same words.
 */
import { z } from 'zod'
import { ApiError } from '../errors'
import type { ChartFigure, FigureSpec } from '../figure'

const words = z.string().max(300)
export const FigureTextSchema = z
  .object({
    title: words.optional(),
    xLabel: words.optional(),
    yLabel: words.optional(),
    /** Colour-bar label of a map. */
    colorBar: words.optional(),
    /** Legend entries: a series' name (or its position, 1 or a for the first) → the name to show. */
    legend: z.record(z.string().max(300), words).optional()
  })
  .strict()
export type FigureText = z.infer<typeof FigureTextSchema>

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The index of the series a legend key names: its name (any case), a position from 1, or a letter (a = first). */
function seriesIndex(names: string[], key: string): number {
  const byName = names.findIndex((n) => n.toLowerCase() === key.toLowerCase())
  if (byName >= 0) return byName
  if (/^\d+$/.test(key)) return Number(key) - 1
  if (/^[a-z]$/i.test(key)) return key.toLowerCase().charCodeAt(0) - 97
  return -1
}

/** A legend given as "a=Smiling,b=Male" (commas inside a name escaped as \,). */
export function parseLegend(text: string): Record<string, string> {
  const legend: Record<string, string> = {}
  for (const part of text.split(/(?<!\\),/)) {
    const eq = part.indexOf('=')
    if (eq <= 0) throw new ApiError('invalid_request', `legend entry "${part}" needs the form series=name, e.g. a=Smiling`)
    legend[part.slice(0, eq).trim()] = part.slice(eq + 1).replace(/\\,/g, ',').trim()
  }
  return legend
}

function renameAxis(axis: unknown, name: string): unknown {
  if (Array.isArray(axis)) return axis.map((a, i) => (i === 0 ? renameAxis(a, name) : a))
  return isObj(axis) ? { ...axis, name } : axis
}

function chartText(spec: ChartFigure, text: FigureText): ChartFigure {
  let option: Obj = { ...spec.option }
  if (text.xLabel !== undefined) option = { ...option, xAxis: renameAxis(option.xAxis, text.xLabel) }
  if (text.yLabel !== undefined) option = { ...option, yAxis: renameAxis(option.yAxis, text.yLabel) }
  if (text.legend && Array.isArray(option.series)) {
    const series = option.series.filter(isObj)
    const names = series.map((s) => (typeof s.name === 'string' ? s.name : ''))
    const renamed = [...names]
    for (const [key, name] of Object.entries(text.legend)) {
      const i = seriesIndex(names, key)
      if (i < 0 || i >= names.length) throw new ApiError('invalid_request', `legend: "${key}" names no series; the series are ${names.map((n, k) => `${k + 1} "${n}"`).join(', ')}`)
      renamed[i] = name
    }
    option = { ...option, series: series.map((s, i) => ({ ...s, name: renamed[i] })) }
    if (isObj(option.legend) && Array.isArray(option.legend.data)) option = { ...option, legend: { ...option.legend, data: renamed.filter(Boolean) } }
  }
  if (text.colorBar !== undefined && isObj(option.visualMap)) option = { ...option, visualMap: { ...option.visualMap, text: [text.colorBar, ''] } }
  return { ...spec, option }
}

/** The spec with the user's words in place of the generated ones. */
export function applyFigureText(spec: FigureSpec, text: FigureText): FigureSpec {
  const titled = text.title === undefined ? spec : { ...spec, title: text.title || undefined }
  if (titled.kind === 'chart') return chartText(titled, text)
  if (titled.kind === 'image') return titled
  return {
    ...titled,
    ...(text.xLabel !== undefined ? { xLabel: text.xLabel || undefined } : {}),
    ...(text.yLabel !== undefined ? { yLabel: text.yLabel || undefined } : {}),
    ...(text.colorBar !== undefined ? { scale: { ...titled.scale, label: text.colorBar || undefined } } : {})
  }
}

/** The words a spec shows as it was made: what an editor offers to change. */
export function figureWords(spec: FigureSpec): { title: string; xLabel: string | null; yLabel: string | null; colorBar: string | null; series: string[] } {
  if (spec.kind === 'image') return { title: spec.title ?? '', xLabel: null, yLabel: null, colorBar: null, series: [] }
  if (spec.kind === 'heatmap') return { title: spec.title ?? '', xLabel: spec.xLabel ?? '', yLabel: spec.yLabel ?? '', colorBar: spec.scale.label ?? '', series: [] }
  const option = spec.option
  const axisName = (axis: unknown): string | null => {
    const first = Array.isArray(axis) ? axis[0] : axis
    return isObj(first) ? (typeof first.name === 'string' ? first.name : '') : null
  }
  const series = Array.isArray(option.series) ? option.series.filter(isObj).map((s) => (typeof s.name === 'string' ? s.name : '')) : []
  const colorBar = isObj(option.visualMap) ? (Array.isArray(option.visualMap.text) ? String(option.visualMap.text[0] ?? '') : '') : null
  return { title: spec.title ?? '', xLabel: axisName(option.xAxis), yLabel: axisName(option.yAxis), colorBar, series: series.filter(Boolean) }
}

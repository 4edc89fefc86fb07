/**
 * The data behind a figure: CSV for curves, histograms and bars (one row per point, long
 * form), CSV or .npy for matrices and maps, JSON for the spec itself.
 */
import { ApiError } from '../../../src-shared/errors'
import type { FigureSpec } from '../../../src-shared/figure'
import { encodeNpy } from '../data/npy'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : isObj(v) ? [v] : [])

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : ''
  const s = String(v)
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

const row = (cells: unknown[]): string => cells.map(csvCell).join(',')

/** Series of a chart as rows of series, x, y: x from the point or the category axis. */
function chartCsv(option: Obj): string {
  const xAxis = list(option.xAxis)[0] ?? {}
  const yAxis = list(option.yAxis)[0] ?? {}
  const xCats = Array.isArray(xAxis.data) ? (xAxis.data as unknown[]) : null
  const yCats = Array.isArray(yAxis.data) ? (yAxis.data as unknown[]) : null
  const series = list(option.series)
  if (series.length === 1 && series[0].type === 'heatmap' && xCats && yCats) {
    // A labelled matrix (CKA): a header of column names, a row per row name.
    const grid = yCats.map(() => xCats.map((): unknown => null))
    for (const point of (series[0].data as unknown[]) ?? []) {
      if (Array.isArray(point)) grid[point[1] as number][point[0] as number] = point[2]
    }
    return [row(['', ...xCats]), ...yCats.map((name, i) => row([name, ...grid[i]]))].join('\n') + '\n'
  }
  const lines = [row(['series', 'x', 'y'])]
  series.forEach((s, k) => {
    const name = typeof s.name === 'string' ? s.name : `series ${k + 1}`
    ;((s.data as unknown[]) ?? []).forEach((point, i) => {
      const value = isObj(point) ? point.value : point
      if (Array.isArray(value)) lines.push(row([name, value[0], value[1]]))
      else lines.push(row([name, xCats ? xCats[i] : i, value]))
    })
  })
  return lines.join('\n') + '\n'
}

function matrixCsv(values: Float32Array, rows: number, cols: number): string {
  const lines: string[] = []
  for (let y = 0; y < rows; y++) lines.push(Array.from(values.subarray(y * cols, (y + 1) * cols), (v) => (Number.isNaN(v) ? '' : String(v))).join(','))
  return lines.join('\n') + '\n'
}

export function figureCsv(spec: FigureSpec): string {
  if (spec.kind === 'chart' && spec.table) return [row(spec.table.columns), ...spec.table.rows.map(row)].join('\n') + '\n'
  if (spec.kind === 'chart') return chartCsv(spec.option)
  if (spec.kind === 'heatmap' || spec.channels === 1) return matrixCsv(spec.values, spec.height, spec.width)
  const lines = [row(['y', 'x', 'r', 'g', 'b'])]
  for (let y = 0; y < spec.height; y++) for (let x = 0; x < spec.width; x++) {
    const p = (y * spec.width + x) * 3
    lines.push(row([y, x, spec.values[p], spec.values[p + 1], spec.values[p + 2]]))
  }
  return lines.join('\n') + '\n'
}

export function figureNpy(spec: FigureSpec): Uint8Array {
  if (spec.kind === 'chart') throw new ApiError('invalid_request', `format npy is for maps and matrices; "${spec.title ?? 'this chart'}" is a chart: export it as csv`)
  const shape = spec.kind === 'image' && spec.channels === 3 ? [spec.height, spec.width, 3] : [spec.height, spec.width]
  return encodeNpy(spec.values, shape)
}

/** The spec as JSON, typed arrays as plain number lists (NaN as null). */
export function figureJson(spec: FigureSpec): string {
  return JSON.stringify(spec, (_k, v: unknown) => (v instanceof Float32Array ? Array.from(v, (x) => (Number.isFinite(x) ? x : null)) : v), 2)
}

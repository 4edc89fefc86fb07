import { CompositionLayout, type CompositionLayoutInput } from '../figureSet'

/** Where a panel sits on a composition's grid (0-based cells, spans of at least 1). */
export interface GridPlace {
  row: number
  col: number
  rowSpan: number
  colSpan: number
}

export interface Reflow<P extends GridPlace> {
  /** Panels with a place on the grid, in reading order. */
  placed: P[]
  /** Panels for which the grid has no room: kept, to be shown with a way to place them. */
  unplaced: P[]
}

/**
 * Lays panels out again on a rows × cols grid after the grid or a span changed: in reading order
 * of where they were (row, then column, then list order), each in the first free cell where it
 * fits. A span larger than the grid is clamped to it; a panel whose span finds no room is tried
 * at 1 × 1; a panel with no free cell at all is returned in `unplaced`, never dropped. Panels
 * `waiting` for a place (an earlier reflow's `unplaced`) are tried after the others, in order.
 */
export function reflowPanels<P extends GridPlace>(panels: readonly P[], rows: number, cols: number, waiting: readonly P[] = []): Reflow<P> {
  const taken: boolean[][] = Array.from({ length: rows }, () => Array<boolean>(cols).fill(false))
  const order = panels.map((panel, index) => ({ panel, index })).sort((a, b) => a.panel.row - b.panel.row || a.panel.col - b.panel.col || a.index - b.index)
  const placed: P[] = []
  const unplaced: P[] = []
  for (const panel of [...order.map((o) => o.panel), ...waiting]) {
    const rowSpan = clampSpan(panel.rowSpan, rows)
    const colSpan = clampSpan(panel.colSpan, cols)
    const cell = firstFit(taken, rowSpan, colSpan) ?? firstFit(taken, 1, 1)
    if (!cell) {
      unplaced.push({ ...panel, row: 0, col: 0, rowSpan: 1, colSpan: 1 })
      continue
    }
    placed.push({ ...panel, ...cell })
    for (let r = cell.row; r < cell.row + cell.rowSpan; r++) for (let c = cell.col; c < cell.col + cell.colSpan; c++) taken[r][c] = true
  }
  return { placed, unplaced }
}

/** The first cell, in reading order, where a rowSpan × colSpan block covers only free cells. */
function firstFit(taken: boolean[][], rowSpan: number, colSpan: number): GridPlace | null {
  const rows = taken.length
  const cols = rows ? taken[0].length : 0
  for (let row = 0; row + rowSpan <= rows; row++) {
    for (let col = 0; col + colSpan <= cols; col++) {
      let free = true
      for (let r = row; free && r < row + rowSpan; r++) for (let c = col; free && c < col + colSpan; c++) free = !taken[r][c]
      if (free) return { row, col, rowSpan, colSpan }
    }
  }
  return null
}

function clampSpan(span: number, limit: number): number {
  return Number.isFinite(span) ? Math.min(Math.max(1, Math.round(span)), limit) : 1
}

/**
 * What is wrong with a layout, as sentences a person reads (panels numbered from 1, as on the
 * page), or an empty list when it can be saved.
 */
export function layoutProblems(layout: CompositionLayoutInput): string[] {
  const parsed = CompositionLayout.safeParse(layout)
  if (parsed.success) return []
  return parsed.error.issues.map((issue) => {
    const [field, index] = issue.path
    if (field === 'panels' && typeof index === 'number' && issue.code !== 'custom') return `Panel ${index + 1}: ${issue.message}.`
    if (issue.code === 'custom') return `${issue.message.charAt(0).toUpperCase()}${issue.message.slice(1)}.`
    return `${String(field ?? 'layout')}: ${issue.message}.`
  })
}

import { describe, expect, it } from 'vitest'
import { layoutProblems, reflowPanels } from '../../../src-shared/figures/compositionGrid'

const panel = (id: string, row: number, col: number, rowSpan = 1, colSpan = 1) => ({ figureId: id, row, col, rowSpan, colSpan, caption: '' })

describe('composition grid reflow', () => {
  it('keeps all six panels when a 2-column grid becomes 2 × 3, in reading order', () => {
    // Six figures added to a 1×2 composition: the composer grew it to 3 rows of 2.
    const panels = ['a', 'b', 'c', 'd', 'e', 'f'].map((id, i) => panel(id, Math.floor(i / 2), i % 2))
    const { placed, unplaced } = reflowPanels(panels, 2, 3)
    expect(unplaced).toEqual([])
    expect(placed.map((p) => [p.figureId, p.row, p.col])).toEqual([
      ['a', 0, 0], ['b', 0, 1], ['c', 0, 2],
      ['d', 1, 0], ['e', 1, 1], ['f', 1, 2]
    ])
  })

  it('clamps a span that no longer fits and shrinks a panel to one cell before giving up on it', () => {
    const { placed, unplaced } = reflowPanels([panel('wide', 0, 0, 1, 4), panel('tall', 0, 0, 3, 1), panel('x', 1, 1)], 2, 2)
    expect(placed.find((p) => p.figureId === 'wide')).toMatchObject({ row: 0, col: 0, rowSpan: 1, colSpan: 2 })
    // 'tall' (clamped to 2 rows) has no 2×1 room left, so it takes a single free cell.
    expect(placed.find((p) => p.figureId === 'tall')).toMatchObject({ row: 1, col: 0, rowSpan: 1, colSpan: 1 })
    expect(placed.find((p) => p.figureId === 'x')).toMatchObject({ row: 1, col: 1 })
    expect(unplaced).toEqual([])
  })

  it('lists the panels a smaller grid cannot hold instead of dropping them', () => {
    const panels = ['a', 'b', 'c', 'd', 'e'].map((id, i) => panel(id, 0, i))
    const { placed, unplaced } = reflowPanels(panels, 2, 2)
    expect(placed.map((p) => p.figureId)).toEqual(['a', 'b', 'c', 'd'])
    expect(unplaced.map((p) => p.figureId)).toEqual(['e'])
    expect(placed.length + unplaced.length).toBe(panels.length)
    // Given room again, the waiting panel takes it after the placed ones.
    const again = reflowPanels(placed, 2, 3, unplaced)
    expect(again.unplaced).toEqual([])
    expect(again.placed.map((p) => [p.figureId, p.row, p.col])).toEqual([['a', 0, 0], ['b', 0, 1], ['c', 0, 2], ['d', 1, 0], ['e', 1, 1]])
  })
})

describe('layout problems', () => {
  const base = { rows: 2, cols: 3, panels: [panel('a', 0, 0), panel('b', 0, 1)] }
  it('is empty for a layout that can be saved', () => {
    expect(layoutProblems(base)).toEqual([])
  })
  it('speaks of panels from 1 and never names a request path', () => {
    const problems = layoutProblems({ ...base, panels: [panel('a', 0, 0), panel('b', 2, 0)] })
    expect(problems).toEqual(['Panel 2 (row 3, column 1, spanning 1×1) does not fit a 2×3 grid.'])
    expect(problems.join(' ')).not.toMatch(/layout\.panels|compositions\.save|invalid request/)
  })
})

import { computed, nextTick, onBeforeUnmount, ref, shallowRef, type Ref } from 'vue'
import type { MatrixRegion, MatrixView, WeightValueResponse } from '../../../src-shared/inspect'
import { useNotificationsStore } from './useNotificationsStore'

const MIN_CELLS = 4

export interface MatrixViewportSource {
  load: (region: MatrixRegion | undefined, maxRows: number, maxCols: number) => Promise<MatrixView>
  valueAt: (row: number, col: number) => Promise<WeightValueResponse>
  /** Names performance marks `<perfMark>:request` and `<perfMark>:paint` for the first paint after a reload. */
  perfMark?: string
}

/**
 * Zoom and pan over a matrix too large to send whole (a 4096×4096 weight map): the server sends
 * a block-pooled view of the shown region at about screen resolution; while the next view is on
 * its way the current one is moved and scaled with CSS (`transform`), so the map follows the
 * mouse at once. The value under the cursor is always the exact one (`hover`). Both timers (the
 * paused-wheel request and the exact-value lookup) are cleared on unmount.
 */
export function useMatrixViewport(box: Ref<HTMLElement | null>, source: MatrixViewportSource) {
  const view = shallowRef<MatrixView | null>(null)
  /** The region on screen, in source cells (ahead of `view` while a request is in flight). */
  const shown = ref<MatrixRegion | null>(null)
  const hover = ref<{ row: number; col: number; value: number | null; index: number[] | null } | null>(null)
  let requestId = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  let drag: { x: number; y: number; region: MatrixRegion } | null = null
  let valueTimer: ReturnType<typeof setTimeout> | undefined
  onBeforeUnmount(() => {
    clearTimeout(timer)
    clearTimeout(valueTimer)
  })

  function displaySize(): [number, number] {
    const el = box.value
    const dpr = Math.min(2, window.devicePixelRatio || 1)
    return [Math.max(16, Math.min(1024, Math.round((el?.clientHeight ?? 400) * dpr))), Math.max(16, Math.min(1024, Math.round((el?.clientWidth ?? 600) * dpr)))]
  }

  async function fetchRegion(region: MatrixRegion | undefined, first: boolean): Promise<void> {
    const id = ++requestId
    const [maxRows, maxCols] = displaySize()
    if (first && source.perfMark) performance.mark(`${source.perfMark}:request`)
    try {
      const next = await source.load(region, maxRows, maxCols)
      if (id !== requestId) return
      view.value = next
      if (first || !shown.value) shown.value = { row: next.rowOffset, col: next.colOffset, rows: next.regionRows, cols: next.regionCols }
      if (first && source.perfMark) {
        const mark = source.perfMark
        await nextTick()
        // A task queued from the frame callback runs once that frame has been painted.
        requestAnimationFrame(() =>
          setTimeout(() => {
            performance.mark(`${mark}:paint`)
            performance.measure(mark, `${mark}:request`, `${mark}:paint`)
          }, 0)
        )
      }
    } catch (err) {
      if (id === requestId) useNotificationsStore().error(err)
    }
  }

  function reload(): void {
    view.value = null
    shown.value = null
    void fetchRegion(undefined, true)
  }

  /** Asks for the shown region once the user pauses, so a wheel spin costs one request. */
  function requestShown(): void {
    clearTimeout(timer)
    timer = setTimeout(() => shown.value && void fetchRegion({ ...shown.value }, false), 90)
  }

  /** CSS transform that places the loaded view where the shown region puts it. */
  const transform = computed(() => {
    const v = view.value
    const s = shown.value
    const el = box.value
    if (!v || !s || !el) return 'none'
    const [w, h] = [el.clientWidth, el.clientHeight]
    const ax = v.regionCols / s.cols
    const ay = v.regionRows / s.rows
    return `translate(${((v.colOffset - s.col) / s.cols) * w}px, ${((v.rowOffset - s.row) / s.rows) * h}px) scale(${ax}, ${ay})`
  })

  function clampRegion(r: MatrixRegion, v: MatrixView): MatrixRegion {
    const rows = Math.round(Math.min(v.sourceRows, Math.max(Math.min(MIN_CELLS, v.sourceRows), r.rows)))
    const cols = Math.round(Math.min(v.sourceCols, Math.max(Math.min(MIN_CELLS, v.sourceCols), r.cols)))
    return {
      row: Math.round(Math.min(v.sourceRows - rows, Math.max(0, r.row))),
      col: Math.round(Math.min(v.sourceCols - cols, Math.max(0, r.col))),
      rows,
      cols
    }
  }

  /** Source cell (fractional) under a pointer position. */
  function cellAt(event: MouseEvent): { row: number; col: number } | null {
    const el = box.value
    const s = shown.value
    if (!el || !s) return null
    const rect = el.getBoundingClientRect()
    return { row: s.row + ((event.clientY - rect.top) / rect.height) * s.rows, col: s.col + ((event.clientX - rect.left) / rect.width) * s.cols }
  }

  function onWheel(event: WheelEvent): void {
    const v = view.value
    const s = shown.value
    const at = cellAt(event)
    if (!v || !s || !at) return
    const factor = event.deltaY < 0 ? 0.8 : 1.25
    const rows = s.rows * factor
    const cols = s.cols * factor
    // Keep the cell under the cursor where it is.
    shown.value = clampRegion({ row: at.row - ((at.row - s.row) / s.rows) * rows, col: at.col - ((at.col - s.col) / s.cols) * cols, rows, cols }, v)
    requestShown()
  }

  function onDown(event: MouseEvent): void {
    if (shown.value) drag = { x: event.clientX, y: event.clientY, region: { ...shown.value } }
  }
  function onUp(): void {
    drag = null
  }
  function onLeave(): void {
    drag = null
    hover.value = null
  }

  function onMove(event: MouseEvent): void {
    const v = view.value
    const el = box.value
    if (!v || !el) return
    if (drag) {
      const dr = ((event.clientY - drag.y) / el.clientHeight) * drag.region.rows
      const dc = ((event.clientX - drag.x) / el.clientWidth) * drag.region.cols
      shown.value = clampRegion({ ...drag.region, row: drag.region.row - dr, col: drag.region.col - dc }, v)
      requestShown()
      return
    }
    const at = cellAt(event)
    if (!at) return
    const row = Math.min(v.sourceRows - 1, Math.max(0, Math.floor(at.row)))
    const col = Math.min(v.sourceCols - 1, Math.max(0, Math.floor(at.col)))
    if (hover.value?.row === row && hover.value?.col === col) return
    // Exact at 1×1 blocks; otherwise the pooled cell is not the weight, so ask for it.
    const local = v.blockRows === 1 && v.blockCols === 1 && row >= v.rowOffset && row < v.rowOffset + v.rows && col >= v.colOffset && col < v.colOffset + v.cols
    hover.value = { row, col, value: local ? v.data[(row - v.rowOffset) * v.cols + (col - v.colOffset)] : null, index: null }
    clearTimeout(valueTimer)
    valueTimer = setTimeout(async () => {
      try {
        const exact = await source.valueAt(row, col)
        if (hover.value?.row === row && hover.value?.col === col) hover.value = { row, col, value: exact.value, index: exact.index }
      } catch (err) {
        useNotificationsStore().error(err)
      }
    }, 40)
  }

  function zoomBy(factor: number): void {
    const v = view.value
    const s = shown.value
    if (!v || !s) return
    const rows = s.rows * factor
    const cols = s.cols * factor
    shown.value = clampRegion({ row: s.row + (s.rows - rows) / 2, col: s.col + (s.cols - cols) / 2, rows, cols }, v)
    requestShown()
  }
  function resetZoom(): void {
    const v = view.value
    if (!v) return
    shown.value = { row: 0, col: 0, rows: v.sourceRows, cols: v.sourceCols }
    requestShown()
  }

  return { view, shown, hover, transform, reload, onWheel, onDown, onUp, onLeave, onMove, zoomBy, resetZoom }
}

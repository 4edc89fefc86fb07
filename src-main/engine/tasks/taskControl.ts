import { ApiError } from '../../../src-shared/errors'

/** One progress report of long work: units done of the total, rate and time left. */
export interface TaskUpdate {
  done: number
  total: number
  stage?: string
  /** Units per second so far, or null before the rate can be told. */
  rate: number | null
  etaSeconds: number | null
}

/** How long-running engine functions report progress and learn of a cancel. */
export interface TaskControl {
  signal?: AbortSignal
  onProgress?: (update: TaskUpdate) => void
}

// Reporting more often than this only floods the event bus; a person cannot read it faster.
const REPORT_EVERY_MS = 200

/**
 * Progress over a known amount of work in any unit (images, epochs, Gram cost). `step` reports
 * at most every 200 ms, then yields to the event loop so a cancel (another API call) can arrive
 * between steps, and throws `cancelled` once the signal is aborted. The ETA comes from the rate
 * measured since the first unit was done, so start-up costs do not inflate it.
 */
export class TaskProgressTracker {
  private done = 0
  private stageName: string | undefined
  private firstUnitAt: number | null = null
  private doneAtFirstUnit = 0
  private lastReport = -Infinity

  constructor(
    private total: number,
    private readonly control: TaskControl = {},
    private readonly what = 'the analysis'
  ) {}

  /** Names the current stage and reports it at once. */
  stage(name: string): void {
    this.stageName = name
    this.report(true)
  }

  /** Grows or shrinks the amount of work when it becomes known. */
  setTotal(total: number): void {
    this.total = total
  }

  /** Marks `units` of work done, reports, yields, and stops here if cancelled. */
  async step(units = 0): Promise<void> {
    this.advance(units)
    await new Promise<void>((resolve) => setImmediate(resolve))
    this.throwIfCancelled()
  }

  /** Marks work done and reports, without yielding (for synchronous loops that yield elsewhere). */
  advance(units: number): void {
    if (units > 0 && this.firstUnitAt === null) {
      this.firstUnitAt = performance.now()
      this.doneAtFirstUnit = this.done
    }
    this.done += units
    this.report(false)
  }

  /** Marks work done up to `units` in all (for work that was found cached and skipped). */
  reach(units: number): void {
    if (units > this.done) this.advance(units - this.done)
  }

  throwIfCancelled(): void {
    throwIfCancelled(this.control, this.what)
  }

  finish(): void {
    this.done = this.total
    this.report(true)
  }

  private report(force: boolean): void {
    const now = performance.now()
    if (!this.control.onProgress || (!force && now - this.lastReport < REPORT_EVERY_MS)) return
    this.lastReport = now
    const done = Math.min(this.done, this.total)
    let rate: number | null = null
    if (this.firstUnitAt !== null) {
      const seconds = (now - this.firstUnitAt) / 1000
      const units = this.done - this.doneAtFirstUnit
      if (seconds > 0.05 && units > 0) rate = units / seconds
    }
    const left = Math.max(0, this.total - done)
    const etaSeconds = left === 0 ? 0 : rate ? left / rate : null
    this.control.onProgress({ done, total: this.total, stage: this.stageName, rate, etaSeconds })
  }
}

/** Throws the `cancelled` error once the control's signal is aborted. */
export function throwIfCancelled(control: TaskControl, what = 'the analysis'): void {
  if (control.signal?.aborted) throw new ApiError('cancelled', `${what} was cancelled; nothing partial was kept`)
}

/** Yields to the event loop, then throws if cancelled: for loops that count their own progress. */
export async function yieldAndCheck(control: TaskControl, what?: string): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve))
  throwIfCancelled(control, what)
}

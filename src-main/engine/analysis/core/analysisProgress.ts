import { ApiError } from '../../../../src-shared/errors'

export interface ProgressUpdate {
  stage: string
  fraction: number
  etaSeconds: number | null
}

/** How long analyses report progress and learn of a cancel: what the engine functions take. */
export interface AnalysisControl {
  signal?: AbortSignal
  onProgress?: (update: ProgressUpdate) => void
}

// Reporting more often than this only floods the event bus; a person cannot read it faster.
const REPORT_EVERY_MS = 250

/**
 * Progress over a known amount of work in arbitrary units (e.g. Gram cost), with an ETA from
 * the rate so far. `step` also yields to the event loop, so a cancel request (another API call)
 * can arrive between steps, and throws `cancelled` once the signal is aborted.
 */
export class AnalysisProgress {
  private done = 0
  private stageName = ''
  private readonly started = performance.now()
  private lastReport = -Infinity

  constructor(
    private readonly total: number,
    private readonly control: AnalysisControl = {},
    private readonly what = 'the analysis'
  ) {}

  stage(name: string): void {
    this.stageName = name
    this.report(true)
  }

  /** Marks `units` of work done, reports, yields, and stops here if cancelled. */
  async step(units = 0): Promise<void> {
    this.done += units
    this.report(false)
    await new Promise<void>((resolve) => setImmediate(resolve))
    this.throwIfCancelled()
  }

  throwIfCancelled(): void {
    if (this.control.signal?.aborted) throw new ApiError('cancelled', `${this.what} was cancelled`)
  }

  finish(): void {
    this.done = this.total
    this.report(true)
  }

  private report(force: boolean): void {
    const now = performance.now()
    if (!this.control.onProgress || (!force && now - this.lastReport < REPORT_EVERY_MS)) return
    this.lastReport = now
    const fraction = this.total > 0 ? Math.min(1, this.done / this.total) : 0
    const elapsed = (now - this.started) / 1000
    const etaSeconds = fraction > 0.02 && fraction < 1 ? (elapsed * (1 - fraction)) / fraction : fraction >= 1 ? 0 : null
    this.control.onProgress({ stage: this.stageName, fraction, etaSeconds })
  }
}

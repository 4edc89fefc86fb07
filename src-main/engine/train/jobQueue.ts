import { ApiError } from '../../../src-shared/errors'
import type { RunProgress, RunStatusEvent, RunEpochEvent } from '../../../src-shared/run'
import type { WorkspaceDb } from '../store/database'
import { getRunRow, setRunStatus } from '../store/runStore'
import { startTrainingJob, type RunningJob } from './jobSupervisor'

export interface JobQueueListener {
  progress(event: RunProgress): void
  status(event: RunStatusEvent): void
  epoch(event: RunEpochEvent): void
}

/**
 * Runs training jobs one at a time (a run pair trains one run after the other): on a CPU two
 * jobs would only slow each other down.
 */
export class JobQueue {
  private active: RunningJob | null = null
  private readonly waiting: string[] = []
  private idle: Promise<void> = Promise.resolve()

  constructor(
    private readonly db: WorkspaceDb,
    private readonly workspaceDir: string,
    private readonly listener: JobQueueListener
  ) {}

  enqueue(runId: string): void {
    if (this.active?.runId === runId || this.waiting.includes(runId)) throw new ApiError('conflict', `${runId} is already running or queued`)
    setRunStatus(this.db, runId, 'queued')
    this.listener.status({ runId, status: 'queued', reason: null })
    this.waiting.push(runId)
    this.startNext()
  }

  cancel(runId: string): void {
    if (this.active?.runId === runId) {
      this.active.cancel()
      return
    }
    const i = this.waiting.indexOf(runId)
    if (i < 0) throw new ApiError('conflict', `${runId} is not running (status: ${getRunRow(this.db, runId).status})`)
    this.waiting.splice(i, 1)
    const reason = 'cancelled before it started'
    setRunStatus(this.db, runId, 'cancelled', reason)
    this.listener.status({ runId, status: 'cancelled', reason })
  }

  isBusy(runId: string): boolean {
    return this.active?.runId === runId || this.waiting.includes(runId)
  }

  activePid(): number | null {
    return this.active?.pid ?? null
  }

  /** Resolves when nothing is running or waiting. */
  async whenIdle(): Promise<void> {
    while (this.active || this.waiting.length) await this.idle
  }

  private startNext(): void {
    if (this.active || this.waiting.length === 0) return
    const runId = this.waiting.shift()!
    const job = startTrainingJob(this.db, this.workspaceDir, runId, (message) => {
      if (message.t === 'progress') this.listener.progress(message.progress)
      else if (message.t === 'epoch') this.listener.epoch({ runId, metrics: message.metrics })
      else this.listener.status({ runId, status: message.status, reason: message.reason })
    })
    this.active = job
    this.idle = job.done.then(() => {
      this.active = null
      this.startNext()
    })
  }
}

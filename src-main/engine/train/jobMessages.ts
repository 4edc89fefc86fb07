import type { EpochMetrics, RunProgress, RunStatus } from '../../../src-shared/run'

/** Messages from a training job process to whoever started it. */
export type JobMessage =
  | { t: 'progress'; progress: RunProgress }
  | { t: 'epoch'; metrics: EpochMetrics; numTensors: number }
  | { t: 'status'; status: RunStatus; reason: string | null }

/** Messages to a training job process. */
export type JobCommand = { t: 'cancel' }

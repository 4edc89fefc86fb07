import { ApiError } from '../../../src-shared/errors'
import { GpuMemoryError } from '../backend/webgpuErrors'

export interface JobContext {
  runName: string
  batchSize: number
  /** What the run computed on, e.g. "webgpu on nvidia ampere (…)". */
  compute: string | null
}

function gpuMemoryMessage(err: GpuMemoryError, context: JobContext | undefined): string {
  const run = context ? `run "${context.runName}"` : 'this run'
  const where = context?.compute ? ` (${context.compute})` : ''
  const batch = context ? ` at batch size ${context.batchSize}` : ''
  const smaller = context && context.batchSize > 1 ? ` (try ${Math.max(1, Math.floor(context.batchSize / 2))})` : ''
  return (
    `${run} does not fit in the GPU's memory${where}${batch}: ${err.detail}. ` +
    `Train it again with a lower batch size${smaller}, or a smaller input size or width multiplier; the epochs committed before this are kept.`
  )
}

/** Turns whatever stopped a job into one sentence a user can act on. */
export function describeJobFailure(err: unknown, workspaceDir: string, context?: JobContext): string {
  if (err instanceof GpuMemoryError) return gpuMemoryMessage(err, context)
  const code = (err as { code?: string }).code
  const message = err instanceof Error ? err.message : String(err)
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || /disk is full|database or disk is full|ENOSPC/i.test(message)) {
    return `the disk holding the workspace (${workspaceDir}) is full; the epochs committed before this one are intact. Free some space and resume the run.`
  }
  if (err instanceof ApiError) return err.message
  if (/out of memory|Allocation failed|OOM/i.test(message)) {
    return `training ran out of memory (${message}); try a smaller batch size, input size or width multiplier`
  }
  return `training failed: ${message}`
}

import { ApiError } from '../../../src-shared/errors'

/** Turns whatever stopped a job into one sentence a user can act on. */
export function describeJobFailure(err: unknown, workspaceDir: string): string {
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

import { ApiError } from '../../../../src-shared/errors'

/** Progress and cancellation for analysis work that takes long (many epochs, a dataset sample). */
export interface WorkHooks {
  signal?: AbortSignal
  onProgress?: (done: number, total: number, message?: string) => void
}

/**
 * Lets other requests and the cancel call run between steps (the loops are synchronous per
 * step), then stops with a clear error when the work was cancelled.
 */
export async function checkCancelled(hooks: WorkHooks): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve))
  if (hooks.signal?.aborted) throw new ApiError('cancelled', 'cancelled before it finished; nothing was stored')
}

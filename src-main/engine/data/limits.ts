import { ApiError } from '../../../src-shared/errors'

/**
 * Bounds that keep a hostile or broken folder from exhausting memory or time.
 * They are far above any real dataset (CelebA has 202,599 images; ImageNet 1.3M).
 */
export const DATA_LIMITS = {
  /** Largest image we will decode; a header claiming more is treated as a decompression bomb. */
  maxPixels: 64 * 1024 * 1024,
  /** Directory entries looked at in one walk. */
  maxEntries: 5_000_000,
  /** Folder nesting below a class folder. */
  maxDepth: 32,
  /** Bytes an IDX file may decompress to (EMNIST ByClass, the largest, is 546 MB). */
  maxIdxBytes: 1024 * 1024 * 1024,
  /** Bytes of a label or attribute text file (CelebA's list_attr_celeba.txt is 26 MB). */
  maxTextBytes: 512 * 1024 * 1024,
  /** Images examined at once; sharp decodes on libuv threads, so a few in flight keep them busy. */
  concurrency: 8
} as const

export interface WorkOptions {
  signal?: AbortSignal
  onProgress?: (progress: { phase: 'listing' | 'checking' | 'reading' | 'generating' | 'writing'; done: number; total: number }) => void
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ApiError('cancelled', 'the dataset operation was cancelled')
}

/**
 * Maps items through an async function with at most `limit` in flight, keeping order. On the
 * first failure (or cancel) no new item starts, and it rejects only once the items already in
 * flight have settled, so a caller's clean-up never races a write still under way.
 */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>, signal?: AbortSignal): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  let failed = false
  const worker = async (): Promise<void> => {
    while (next < items.length && !failed) {
      try {
        throwIfCancelled(signal)
        const i = next++
        results[i] = await fn(items[i], i)
      } catch (err) {
        failed = true
        throw err
      }
    }
  }
  const settled = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker))
  const rejection = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (rejection) throw rejection.reason
  return results
}

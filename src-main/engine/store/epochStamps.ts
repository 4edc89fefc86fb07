import { createHash } from 'node:crypto'
import { ApiError } from '../../../src-shared/errors'
import type { WorkspaceDb } from './database'

/**
 * Identities of stored epochs for analysis cache keys. An epoch number alone is not enough:
 * resuming a cancelled run from an older epoch replaces the later ones, so a key also carries
 * when each epoch was committed, and a cached result never outlives the weights it came from.
 */
export function epochStamp(db: WorkspaceDb, runId: string, epoch: number): string {
  const row = db.prepare(`SELECT committed_at FROM epochs WHERE run_id = ? AND epoch = ? AND complete = 1`).get(runId, epoch) as { committed_at: string } | undefined
  if (!row) throw new ApiError('not_found', `${runId} has no stored epoch ${epoch}`)
  return `${epoch}@${row.committed_at}`
}

/** One stamp for all complete epochs of a run (for statistics over its whole history). */
export function historyStamp(db: WorkspaceDb, runId: string): string {
  const rows = db.prepare(`SELECT epoch, committed_at FROM epochs WHERE run_id = ? AND complete = 1 ORDER BY epoch`).all(runId) as { epoch: number; committed_at: string }[]
  const digest = createHash('sha256')
  for (const r of rows) digest.update(`${r.epoch}@${r.committed_at};`)
  return `${rows.length}:${digest.digest('hex').slice(0, 16)}`
}

/** The complete epochs of a run, in order. */
export function completeEpochNumbers(db: WorkspaceDb, runId: string): number[] {
  return (db.prepare(`SELECT epoch FROM epochs WHERE run_id = ? AND complete = 1 ORDER BY epoch`).all(runId) as { epoch: number }[]).map((r) => r.epoch)
}

/**
 * Removes cached analyses under `prefix` other than `keep`: results for an older history of
 * the same run and layer (before more epochs were trained) are never read again, and a
 * 4096×4096 layer's maps are 128 MB.
 */
export function dropStaleAnalyses(db: WorkspaceDb, prefix: string, keep: string): void {
  db.prepare(`DELETE FROM analysis_cache WHERE substr(key, 1, ?) = ? AND key <> ?`).run(prefix.length, prefix, keep)
}

import { decodeFrame, encodeFrame } from '../../../src-shared/wire'
import type { WorkspaceDb } from './database'

/**
 * Analysis results kept in the workspace, keyed by everything they were computed from (run,
 * epoch, layer, examples, seed…). Values may hold typed arrays; they are stored as one binary
 * frame. Deleting a run deletes its entries.
 */
export function cachedAnalysis<T>(db: WorkspaceDb, key: string): T | null {
  const row = db.prepare(`SELECT value FROM analysis_cache WHERE key = ?`).get(key) as { value: Buffer } | undefined
  return row ? decoded<T>(row.value) : null
}

/** Whether a value is stored under `key`, without reading it. */
export function hasAnalysis(db: WorkspaceDb, key: string): boolean {
  return db.prepare(`SELECT 1 FROM analysis_cache WHERE key = ?`).get(key) !== undefined
}

export function storeAnalysis(db: WorkspaceDb, key: string, kind: string, value: unknown, runId: string | null, otherRunId: string | null = null): void {
  db.prepare(
    `INSERT INTO analysis_cache (key, run_id, other_run_id, kind, value, created_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET value = excluded.value, created_at = excluded.created_at`
  ).run(key, runId, otherRunId, kind, Buffer.from(encodeFrame(value)), new Date().toISOString())
}

/** Returns the cached value, or computes, stores and returns it. */
export async function withAnalysisCache<T>(db: WorkspaceDb, key: string, kind: string, runIds: [string | null, string | null], compute: () => Promise<T>): Promise<T> {
  const hit = cachedAnalysis<T>(db, key)
  if (hit !== null) return hit
  const value = await compute()
  storeAnalysis(db, key, kind, value, runIds[0], runIds[1])
  return value
}

/** The newest value of `kind` stored for a run, or null. */
export function latestAnalysis<T>(db: WorkspaceDb, runId: string, kind: string): T | null {
  const row = db.prepare(`SELECT value FROM analysis_cache WHERE run_id = ? AND kind = ? ORDER BY created_at DESC LIMIT 1`).get(runId, kind) as { value: Buffer } | undefined
  return row ? decoded<T>(row.value) : null
}

/** Forgets every analysis of a run (also those comparing it with another), after its weights changed. */
export function dropRunAnalyses(db: WorkspaceDb, runId: string): void {
  db.prepare(`DELETE FROM analysis_cache WHERE run_id = ? OR other_run_id = ?`).run(runId, runId)
}

function decoded<T>(value: Buffer): T {
  return decodeFrame(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) as T
}

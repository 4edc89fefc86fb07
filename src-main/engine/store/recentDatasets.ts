import type { RecentDataset } from '../../../src-shared/api/datasets'
import type { WorkspaceDb } from './database'

/** Datasets opened in this workspace, most recent first, for the datasets view. */
export function recentDatasets(db: WorkspaceDb, limit = 20): RecentDataset[] {
  const rows = db.prepare(`SELECT path, name, format, opened_at FROM recent_datasets ORDER BY opened_at DESC LIMIT ?`).all(limit) as { path: string; name: string; format: RecentDataset['format']; opened_at: string }[]
  return rows.map((r) => ({ path: r.path, name: r.name, format: r.format, openedAt: r.opened_at }))
}

/** Records that a dataset was opened now (again). */
export function rememberDataset(db: WorkspaceDb, dataset: Omit<RecentDataset, 'openedAt'>): void {
  db.prepare(`INSERT INTO recent_datasets (path, format, name, opened_at) VALUES (?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET format = excluded.format, name = excluded.name, opened_at = excluded.opened_at`).run(
    dataset.path,
    dataset.format,
    dataset.name,
    new Date().toISOString()
  )
}

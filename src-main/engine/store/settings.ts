import type { WorkspaceDb } from './database'

/** Small per-workspace preferences, stored as JSON values. */
export function readSetting<T>(db: WorkspaceDb, key: string): T | null {
  const row = db.prepare(`SELECT value FROM settings WHERE key = ?`).get(key) as { value: string } | undefined
  return row ? (JSON.parse(row.value) as T) : null
}

export function writeSetting(db: WorkspaceDb, key: string, value: unknown): void {
  db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(key, JSON.stringify(value))
}

/**
 * The descriptor cache: one row per run, epoch, conv layer and training image, holding the
 * image's label and its descriptor V = (μ_0, σ_0, …) as float32 bytes. Each extraction batch is
 * written in one transaction, so a cancelled extraction leaves whole batches and resumes after
 * them. Rows go with their run (ON DELETE CASCADE).
 */
import type { WorkspaceDb } from './database'

export interface DescriptorRow {
  layer: string
  image: number
  label: number
  vector: Float32Array
}

/** All descriptors of one layer, ordered by image index: n rows of `dim` values. */
export interface LayerDescriptors {
  layer: string
  dim: number
  images: Int32Array
  labels: Int32Array
  vectors: Float32Array
}

function bytesOf(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength)
}

/** Writes one batch of rows atomically (all or none). */
export function saveDescriptors(db: WorkspaceDb, runId: string, epoch: number, rows: readonly DescriptorRow[]): void {
  const insert = db.prepare(`INSERT OR REPLACE INTO descriptors (run_id, epoch, layer, image, label, vector) VALUES (?, ?, ?, ?, ?, ?)`)
  db.transaction(() => {
    for (const r of rows) insert.run(runId, epoch, r.layer, r.image, r.label, bytesOf(r.vector))
  })()
}

/** Images whose descriptor is stored for every one of `layers`. */
export function imagesDone(db: WorkspaceDb, runId: string, epoch: number, layers: readonly string[]): Set<number> {
  if (layers.length === 0) return new Set()
  const rows = db
    .prepare(`SELECT image, count(*) AS n FROM descriptors WHERE run_id = ? AND epoch = ? AND layer IN (${layers.map(() => '?').join(', ')}) GROUP BY image`)
    .all(runId, epoch, ...layers) as { image: number; n: number }[]
  return new Set(rows.filter((r) => r.n === layers.length).map((r) => r.image))
}

/** How many descriptors each layer of each epoch has. */
export function descriptorCounts(db: WorkspaceDb, runId: string): { epoch: number; layer: string; count: number; dim: number }[] {
  return db
    .prepare(`SELECT epoch, layer, count(*) AS count, max(length(vector)) / 4 AS dim FROM descriptors WHERE run_id = ? GROUP BY epoch, layer ORDER BY epoch, layer`)
    .all(runId) as { epoch: number; layer: string; count: number; dim: number }[]
}

export function readLayerDescriptors(db: WorkspaceDb, runId: string, epoch: number, layer: string): LayerDescriptors {
  const rows = db.prepare(`SELECT image, label, vector FROM descriptors WHERE run_id = ? AND epoch = ? AND layer = ? ORDER BY image`).all(runId, epoch, layer) as {
    image: number
    label: number
    vector: Buffer
  }[]
  const dim = rows.length ? rows[0].vector.byteLength / 4 : 0
  const vectors = new Float32Array(rows.length * dim)
  rows.forEach((r, i) => vectors.set(new Float32Array(r.vector.buffer.slice(r.vector.byteOffset, r.vector.byteOffset + r.vector.byteLength)), i * dim))
  return { layer, dim, images: Int32Array.from(rows, (r) => r.image), labels: Int32Array.from(rows, (r) => r.label), vectors }
}

import { randomBytes } from 'node:crypto'
import { ApiError } from '../../../src-shared/errors'
import { TrainConfig, type RunDetail, type RunStatus, type RunSummary } from '../../../src-shared/run'
import type { WorkspaceDb } from './database'
import { errorCode, isDiskFull } from './storageErrors'
import { batchLosses, completeEpochs, lastCompleteEpoch, listTensors } from './epochStore'

interface RunRow {
  id: string
  name: string
  pair_id: string | null
  status: RunStatus
  status_reason: string | null
  config: string
  model_topology: string | null
  pid: number | null
  compute?: string | null
  created_at: string
  updated_at: string
}

export function newRunId(): string {
  const stamp = new Date().toISOString().slice(0, 10).replace(/-/g, '')
  return `run-${stamp}-${randomBytes(3).toString('hex')}`
}

export function defaultRunName(config: TrainConfig): string {
  const label = config.label.kind === 'attribute' ? config.label.attribute : 'class'
  const dataset = config.dataset === 'mnist' ? 'MNIST' : config.dataset.split(/[\\/]/).filter(Boolean).pop() ?? config.dataset
  return `${config.model.name} · ${dataset} · ${label}`
}

let lastCreatedMs = 0

export function createRun(db: WorkspaceDb, config: TrainConfig, options: { id?: string; pairId?: string | null } = {}): string {
  const id = options.id ?? newRunId()
  // Strictly increasing, so the two runs of a pair (created in the same millisecond) keep
  // their order wherever runs are sorted by creation time.
  lastCreatedMs = Math.max(Date.now(), lastCreatedMs + 1)
  const now = new Date(lastCreatedMs).toISOString()
  db.prepare(`INSERT INTO runs (id, name, pair_id, status, config, created_at, updated_at) VALUES (?, ?, ?, 'queued', ?, ?, ?)`).run(
    id,
    config.name || defaultRunName(config),
    options.pairId ?? null,
    JSON.stringify(config),
    now,
    now
  )
  return id
}

function toSummary(db: WorkspaceDb, row: RunRow): RunSummary {
  const epochs = completeEpochs(db, row.id)
  const last = epochs.length ? epochs[epochs.length - 1] : null
  return {
    id: row.id,
    name: row.name,
    pairId: row.pair_id,
    status: row.status,
    statusReason: row.status_reason,
    config: TrainConfig.parse(JSON.parse(row.config)),
    epochsCompleted: Math.max(0, (last?.epoch ?? 0)),
    lastMetrics: last,
    compute: row.compute ?? null,
    createdAt: row.created_at,
    updatedAt: row.updated_at
  }
}

export function getRunRow(db: WorkspaceDb, id: string): RunRow {
  const row = db.prepare(`SELECT * FROM runs WHERE id = ?`).get(id) as RunRow | undefined
  if (!row) throw new ApiError('not_found', `no run with id "${id}" in this workspace; "featurelens runs list" shows the runs`)
  return row
}

/** Whether a run is in the workspace. */
export function runExists(db: WorkspaceDb, id: string): boolean {
  return db.prepare('SELECT 1 FROM runs WHERE id = ?').get(id) !== undefined
}

export function getRun(db: WorkspaceDb, id: string): RunSummary {
  return toSummary(db, getRunRow(db, id))
}

/** A run with its epochs' metrics, batch losses, last epoch's weights and the space it takes. */
export function getRunDetail(db: WorkspaceDb, id: string): RunDetail {
  const summary = getRun(db, id)
  const last = lastCompleteEpoch(db, id)
  return {
    ...summary,
    epochs: completeEpochs(db, id),
    batchLosses: batchLosses(db, id),
    weights: last === null ? [] : listTensors(db, id, last, 'weight'),
    storageBytes: storageBytes(db, id)
  }
}

export function listRuns(db: WorkspaceDb): RunSummary[] {
  const rows = db.prepare(`SELECT * FROM runs ORDER BY created_at DESC, id`).all() as RunRow[]
  return rows.map((row) => toSummary(db, row))
}

export function setRunStatus(db: WorkspaceDb, id: string, status: RunStatus, reason: string | null = null, pid: number | null = null): void {
  db.prepare(`UPDATE runs SET status = ?, status_reason = ?, pid = ?, updated_at = ? WHERE id = ?`).run(status, reason, pid, new Date().toISOString(), id)
}

/** Records what the run's current training session computes on (backend and GPU adapter). */
export function setRunCompute(db: WorkspaceDb, id: string, compute: string): void {
  db.prepare(`UPDATE runs SET compute = ? WHERE id = ?`).run(compute, id)
}

/** Replaces a run's config (an opened model's preprocessing, say); the caller has validated it. */
export function setRunConfig(db: WorkspaceDb, id: string, config: TrainConfig): void {
  db.prepare(`UPDATE runs SET config = ?, updated_at = ? WHERE id = ?`).run(JSON.stringify(config), new Date().toISOString(), id)
}

export function setModelTopology(db: WorkspaceDb, id: string, topology: unknown): void {
  db.prepare(`UPDATE runs SET model_topology = ?, updated_at = ? WHERE id = ?`).run(JSON.stringify(topology), new Date().toISOString(), id)
}

export function modelTopology(db: WorkspaceDb, id: string): unknown {
  const row = getRunRow(db, id)
  return row.model_topology ? (JSON.parse(row.model_topology) as unknown) : null
}

/**
 * Deletes a run with everything stored for it and gives the space back to the file system.
 * Returns null, or a note when the space could not be given back yet (a full disk: the vacuum
 * itself needs room to write); the run is deleted either way and its pages are reused.
 */
export function deleteRun(db: WorkspaceDb, id: string): string | null {
  const row = getRunRow(db, id)
  if (row.status === 'running' || row.status === 'queued') {
    throw new ApiError('conflict', `${id} is ${row.status}; cancel it before deleting it`)
  }
  db.prepare(`DELETE FROM runs WHERE id = ?`).run(id)
  return reclaimSpace(db)
}

/** Checkpoints, vacuums freed pages and truncates the WAL; on a full disk says so instead of failing. */
export function reclaimSpace(db: WorkspaceDb): string | null {
  try {
    // Checkpoint first: it empties the WAL, so the vacuum has room to write on a nearly full disk.
    db.pragma('wal_checkpoint(TRUNCATE)')
    db.pragma('incremental_vacuum')
    db.pragma('wal_checkpoint(TRUNCATE)')
    return null
  } catch (err) {
    if (!isDiskFull(err) && !errorCode(err).startsWith('SQLITE_IOERR')) throw err
    return 'the disk is full, so its space could not be given back yet; Featurelens reuses it for new data, and deleting another run or freeing space elsewhere lets it be reclaimed'
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Marks runs whose training process is gone as interrupted (e.g. after a crash or reboot). */
export function markOrphanedRuns(db: WorkspaceDb): string[] {
  const rows = db.prepare(`SELECT id, pid FROM runs WHERE status IN ('running', 'queued')`).all() as { id: string; pid: number | null }[]
  const orphaned = rows.filter((r) => r.pid === null || !processAlive(r.pid)).map((r) => r.id)
  for (const id of orphaned) setRunStatus(db, id, 'interrupted', 'the training process was no longer running when the workspace was opened; resume continues from the last complete epoch')
  return orphaned
}

export function storageBytes(db: WorkspaceDb, id: string): number {
  const row = db.prepare(`SELECT coalesce(sum(byte_length), 0) AS bytes FROM epoch_tensors WHERE run_id = ?`).get(id) as { bytes: number }
  return row.bytes
}

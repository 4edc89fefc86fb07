import { createHash } from 'node:crypto'
import { ApiError } from '../../../src-shared/errors'
import type { EpochMetrics } from '../../../src-shared/run'
import type { WorkspaceDb } from './database'

/** Largest blob stored in one row; bigger tensors are split into chunks of this size. */
export const MAX_CHUNK_BYTES = 64 * 1024 * 1024

export type TensorKind = 'weight' | 'optimizer'

export interface StoredTensor {
  name: string
  shape: number[]
  dtype: 'float32' | 'int32'
  data: Float32Array | Int32Array
}

export interface EpochRecord {
  metrics: EpochMetrics
  batchLosses: Float32Array | null
  weights: StoredTensor[]
  optimizer: StoredTensor[]
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

function bytesOf(data: Float32Array | Int32Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength)
}

/**
 * Commits one epoch in a single transaction: metrics, every tensor in checksummed chunks, and
 * the completion marker. A crash at any point leaves either the whole epoch or none of it.
 * The caller's connection should run with synchronous=FULL so a commit survives power loss.
 */
export function commitEpoch(db: WorkspaceDb, runId: string, record: EpochRecord, chunkBytes = MAX_CHUNK_BYTES): void {
  const epoch = record.metrics.epoch
  const insertEpoch = db.prepare(`INSERT INTO epochs (run_id, epoch, metrics, batch_losses, complete, committed_at) VALUES (?, ?, ?, ?, 0, ?)`)
  const insertTensor = db.prepare(
    `INSERT INTO epoch_tensors (run_id, epoch, kind, position, name, dtype, shape, byte_length, chunk_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
  )
  const insertChunk = db.prepare(`INSERT INTO tensor_chunks (run_id, epoch, kind, position, chunk, data, sha256) VALUES (?, ?, ?, ?, ?, ?, ?)`)
  const markComplete = db.prepare(`UPDATE epochs SET complete = 1 WHERE run_id = ? AND epoch = ?`)
  db.transaction(() => {
    // A re-run of an epoch after resume replaces the earlier, incomplete attempt (there is none
    // on disk thanks to the transaction, but a cancelled run may be resumed from an older epoch).
    db.prepare(`DELETE FROM epochs WHERE run_id = ? AND epoch >= ?`).run(runId, epoch)
    insertEpoch.run(runId, epoch, JSON.stringify(record.metrics), record.batchLosses ? bytesOf(record.batchLosses) : null, new Date().toISOString())
    const write = (kind: TensorKind, tensors: StoredTensor[]): void => {
      tensors.forEach((tensor, position) => {
        const bytes = bytesOf(tensor.data)
        const chunkCount = Math.max(1, Math.ceil(bytes.length / chunkBytes))
        insertTensor.run(runId, epoch, kind, position, tensor.name, tensor.dtype, JSON.stringify(tensor.shape), bytes.length, chunkCount)
        for (let c = 0; c < chunkCount; c++) {
          const chunk = bytes.subarray(c * chunkBytes, Math.min(bytes.length, (c + 1) * chunkBytes))
          insertChunk.run(runId, epoch, kind, position, c, chunk, sha256(chunk))
        }
      })
    }
    write('weight', record.weights)
    write('optimizer', record.optimizer)
    markComplete.run(runId, epoch)
  })()
}

export interface TensorInfo {
  position: number
  name: string
  dtype: string
  shape: number[]
  byteLength: number
}

export function listTensors(db: WorkspaceDb, runId: string, epoch: number, kind: TensorKind): TensorInfo[] {
  const rows = db
    .prepare(`SELECT position, name, dtype, shape, byte_length FROM epoch_tensors WHERE run_id = ? AND epoch = ? AND kind = ? ORDER BY position`)
    .all(runId, epoch, kind) as { position: number; name: string; dtype: string; shape: string; byte_length: number }[]
  return rows.map((r) => ({ position: r.position, name: r.name, dtype: r.dtype, shape: JSON.parse(r.shape) as number[], byteLength: r.byte_length }))
}

/** Reads one tensor back, verifying every chunk's checksum. */
export function loadTensor(db: WorkspaceDb, runId: string, epoch: number, kind: TensorKind, position: number): StoredTensor {
  const meta = db
    .prepare(`SELECT name, dtype, shape, byte_length, chunk_count FROM epoch_tensors WHERE run_id = ? AND epoch = ? AND kind = ? AND position = ?`)
    .get(runId, epoch, kind, position) as { name: string; dtype: string; shape: string; byte_length: number; chunk_count: number } | undefined
  if (!meta) throw new ApiError('not_found', `${runId} has no ${kind} tensor ${position} at epoch ${epoch}`)
  const chunks = db
    .prepare(`SELECT chunk, data, sha256 FROM tensor_chunks WHERE run_id = ? AND epoch = ? AND kind = ? AND position = ? ORDER BY chunk`)
    .all(runId, epoch, kind, position) as { chunk: number; data: Buffer; sha256: string }[]
  if (chunks.length !== meta.chunk_count) {
    throw new ApiError('bad_input', `${runId}, epoch ${epoch}: ${meta.name} has ${chunks.length} of ${meta.chunk_count} chunks; the stored epoch is damaged`)
  }
  const out = new ArrayBuffer(meta.byte_length)
  const view = new Uint8Array(out)
  let at = 0
  for (const chunk of chunks) {
    if (sha256(chunk.data) !== chunk.sha256) {
      throw new ApiError('bad_input', `${runId}, epoch ${epoch}: ${meta.name} chunk ${chunk.chunk} fails its checksum; the stored epoch is damaged`)
    }
    view.set(chunk.data, at)
    at += chunk.data.length
  }
  if (at !== meta.byte_length) throw new ApiError('bad_input', `${runId}, epoch ${epoch}: ${meta.name} has ${at} bytes, expected ${meta.byte_length}`)
  const data = meta.dtype === 'int32' ? new Int32Array(out) : new Float32Array(out)
  return { name: meta.name, dtype: meta.dtype as StoredTensor['dtype'], shape: JSON.parse(meta.shape) as number[], data }
}

export function loadTensors(db: WorkspaceDb, runId: string, epoch: number, kind: TensorKind): StoredTensor[] {
  return listTensors(db, runId, epoch, kind).map((info) => loadTensor(db, runId, epoch, kind, info.position))
}

export function completeEpochs(db: WorkspaceDb, runId: string): EpochMetrics[] {
  const rows = db.prepare(`SELECT metrics FROM epochs WHERE run_id = ? AND complete = 1 ORDER BY epoch`).all(runId) as { metrics: string }[]
  return rows.map((r) => JSON.parse(r.metrics) as EpochMetrics)
}

export function lastCompleteEpoch(db: WorkspaceDb, runId: string): number | null {
  const row = db.prepare(`SELECT max(epoch) AS epoch FROM epochs WHERE run_id = ? AND complete = 1`).get(runId) as { epoch: number | null }
  return row.epoch
}

export function batchLosses(db: WorkspaceDb, runId: string): { epoch: number; losses: Float32Array<ArrayBuffer> }[] {
  const rows = db.prepare(`SELECT epoch, batch_losses FROM epochs WHERE run_id = ? AND complete = 1 AND batch_losses IS NOT NULL ORDER BY epoch`).all(runId) as { epoch: number; batch_losses: Buffer }[]
  return rows.map((r) => ({ epoch: r.epoch, losses: new Float32Array(r.batch_losses.buffer.slice(r.batch_losses.byteOffset, r.batch_losses.byteOffset + r.batch_losses.byteLength) as ArrayBuffer) }))
}

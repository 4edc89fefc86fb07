/**
 * Stored fixture runs: one epoch of a trained run (topology, config, metrics and its weights
 * quantised to 8 bits per tensor, gzipped) written once by `exportRunFixture` and loaded into a
 * fresh workspace by `importRunFixture`, for tests whose training would take too long for CI.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { TrainConfig, type EpochMetrics } from '../../src-shared/run'
import type { WorkspaceDb } from '../../src-main/engine/store/database'
import { commitEpoch, listTensors, loadTensor } from '../../src-main/engine/store/epochStore'
import { createRun, getRun, modelTopology, setModelTopology } from '../../src-main/engine/store/runStore'

interface FixtureTensor {
  name: string
  shape: number[]
  /** Value = scale · int8. */
  scale: number
}

interface FixtureManifest {
  source: string
  config: unknown
  topology: unknown
  epoch: number
  metrics: EpochMetrics
  tensors: FixtureTensor[]
}

export function exportRunFixture(db: WorkspaceDb, runId: string, epoch: number, dir: string, source: string): void {
  mkdirSync(dir, { recursive: true })
  const run = getRun(db, runId)
  const metrics = (db.prepare('SELECT metrics FROM epochs WHERE run_id = ? AND epoch = ?').get(runId, epoch) as { metrics: string }).metrics
  const tensors: FixtureTensor[] = []
  const chunks: Buffer[] = []
  for (const info of listTensors(db, runId, epoch, 'weight')) {
    const t = loadTensor(db, runId, epoch, 'weight', info.position)
    let max = 0
    for (const v of t.data) max = Math.max(max, Math.abs(v))
    const scale = max > 0 ? max / 127 : 1
    chunks.push(Buffer.from(Int8Array.from(t.data, (v) => Math.round(v / scale)).buffer))
    tensors.push({ name: info.name, shape: t.shape, scale })
  }
  const manifest: FixtureManifest = { source, config: run.config, topology: modelTopology(db, runId), epoch, metrics: JSON.parse(metrics) as EpochMetrics, tensors }
  writeFileSync(join(dir, 'run.json'), JSON.stringify(manifest))
  writeFileSync(join(dir, 'weights.i8.gz'), gzipSync(Buffer.concat(chunks), { level: 9 }))
}

/** Stores the fixture as a completed run of `dataset` (its stored epoch keeps its number) and returns its id. */
export function importRunFixture(db: WorkspaceDb, dir: string, dataset: string): { runId: string; epoch: number; metrics: EpochMetrics } {
  const manifest = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as FixtureManifest
  const bytes = gunzipSync(readFileSync(join(dir, 'weights.i8.gz')))
  const q = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const config = TrainConfig.parse({ ...(manifest.config as object), dataset })
  const runId = createRun(db, config)
  setModelTopology(db, runId, manifest.topology)
  let at = 0
  const weights = manifest.tensors.map((t) => {
    const n = t.shape.reduce((a, b) => a * b, 1)
    const data = Float32Array.from(q.subarray(at, at + n), (v) => v * t.scale)
    at += n
    return { name: t.name, shape: t.shape, dtype: 'float32' as const, data }
  })
  commitEpoch(db, runId, { metrics: manifest.metrics, batchLosses: null, weights, optimizer: [] })
  db.prepare(`UPDATE runs SET status = 'completed' WHERE id = ?`).run(runId)
  return { runId, epoch: manifest.epoch, metrics: manifest.metrics }
}

/**
 * Time to compute the per-weight mean and variance maps of a 4096×4096 layer over 10 stored
 * epochs (seed 004), read from the workspace one epoch at a time. Prints figures; not a test.
 *
 *   node --import tsx bench/inspect-weight-stats.ts [--epochs N] [--keep]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { availableParallelism, cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { openApi } from '../src-main/api/openApi'
import { weightEvolution } from '../src-main/engine/analysis/weights/weightEvolution'
import { openWorkspaceDb } from '../src-main/engine/store/database'
import { completeEpochNumbers } from '../src-main/engine/store/epochStamps'
import { listTensors, loadTensor } from '../src-main/engine/store/epochStore'
import { BIG, makeBigLayerRun } from './support/bigLayerRun'

const { values } = parseArgs({ options: { epochs: { type: 'string', default: '10' }, keep: { type: 'boolean', default: false } } })
const EPOCHS = Number(values.epochs)
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`
const ms = (t: number) => `${t.toFixed(0)} ms`

async function main(): Promise<void> {
  console.log(`inspector weight statistics: node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'})`)
  const dir = mkdtempSync(join(tmpdir(), 'fl-bench-stats-'))
  try {
    const { runId, database, writeMs } = await makeBigLayerRun(dir, EPOCHS)
    console.log(`  workspace: ${EPOCHS} epochs of a ${BIG}×${BIG} layer written in ${ms(writeMs)}, ${mb(statSync(database).size)} on disk`)

    const db = openWorkspaceDb(database)
    const epochs = completeEpochNumbers(db, runId)
    const position = listTensors(db, runId, 0, 'weight').find((t) => t.name === 'fc2/kernel')!.position

    // Reading alone (chunks + SHA-256 checks), to separate I/O from arithmetic.
    let started = performance.now()
    for (const e of epochs) loadTensor(db, runId, e, 'weight', position)
    const readMs = performance.now() - started

    const rssBefore = process.memoryUsage().rss
    let peak = rssBefore
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
    started = performance.now()
    const evolution = await weightEvolution(db, runId, position, epochs, 64)
    const computeMs = performance.now() - started
    clearInterval(sampler)
    db.close()
    console.log(`  engine: mean + variance maps over ${epochs.length} epochs in ${ms(computeMs)} (${ms(computeMs / epochs.length)} per epoch; reading alone ${ms(readMs)})`)
    console.log(`          peak RSS growth ${mb(peak - rssBefore)} (one epoch + float64 accumulators + previous epoch), maps ${evolution.layout.rows}×${evolution.layout.cols}`)

    // Through the API, as the UI asks: compute and store in the workspace, then from memory, then from the workspace.
    const api = openApi({ workspace: dir, shell: 'web' })
    const request = { runId, weight: 'fc2/kernel', maxRows: 512, maxCols: 512 }
    started = performance.now()
    await api.dispatch('inspect.weightStats', request)
    const firstMs = performance.now() - started
    started = performance.now()
    await api.dispatch('inspect.weightStats', { ...request, region: { row: 1000, col: 2000, rows: 256, cols: 256 } })
    const zoomMs = performance.now() - started
    api.close()
    const reopened = openApi({ workspace: dir, shell: 'web' })
    started = performance.now()
    await reopened.dispatch('inspect.weightStats', request)
    const cachedMs = performance.now() - started
    reopened.close()
    console.log(`  API inspect.weightStats (512×512 views): first ${ms(firstMs)} (computed and stored), zoomed region ${ms(zoomMs)} (in memory), after reopening ${ms(cachedMs)} (workspace cache)`)
  } finally {
    if (values.keep) console.log(`  kept ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  }
}

await main()

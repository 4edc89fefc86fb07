/**
 * The one-click "Smiling/Male pair on synthetic faces" preset, end to end as a user runs it:
 * writes the default synthetic faces (2000 at 64 px, as the Datasets view does), starts the
 * preset's pair (runs.startPair) and prints each run's test accuracy per epoch and the wall
 * time. Figures, not a test; record them in bench/README.md.
 *
 *   node --import tsx bench/face-pair-preset.ts [--count 2000] [--size 64] [--epochs N] [--width W] [--input N] [--no-bn]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { facePairPreset } from '../src-shared/presets'
import type { EpochMetrics } from '../src-shared/run'
import { openApi } from '../src-main/api/openApi'
import { generateSyntheticFaces } from '../src-main/engine/data/synthFaces/generate'

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '2000' },
    size: { type: 'string', default: '64' },
    epochs: { type: 'string' },
    width: { type: 'string' },
    input: { type: 'string' },
    'no-bn': { type: 'boolean', default: false }
  }
})

async function main(): Promise<void> {
  console.log(`face pair preset: node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), load ${loadavg()[0].toFixed(1)}`)
  const root = mkdtempSync(join(tmpdir(), 'fl-bench-preset-'))
  const faces = join(root, 'faces')
  let t = performance.now()
  await generateSyntheticFaces(faces, { count: Number(values.count), size: Number(values.size), seed: 1 })
  console.log(`  ${values.count} faces at ${values.size} px written in ${((performance.now() - t) / 1000).toFixed(1)} s`)
  const api = openApi({ workspace: join(root, 'workspace'), shell: 'web' })
  const config = facePairPreset.config(faces)
  if (values.epochs) config.epochs = Number(values.epochs)
  if (values.width) config.model.widthMultiplier = Number(values.width)
  if (values.input) config.model.inputSize = Number(values.input)
  if (values['no-bn']) config.model.batchNorm = false
  console.log(`  settings: ${JSON.stringify(config.model)}, ${config.epochs} epochs, batch ${config.batchSize}, lr ${config.learningRate}`)
  t = performance.now()
  const firstEpochAt = new Map<string, number>()
  api.context.events.subscribe((name, payload) => {
    const p = payload as { runId: string; metrics: EpochMetrics }
    if (name !== 'runs.epoch' || p.metrics.epoch === 0) return
    if (!firstEpochAt.has(p.runId)) firstEpochAt.set(p.runId, performance.now() - t)
    console.log(`  ${p.runId} epoch ${p.metrics.epoch}: test accuracy ${p.metrics.testAccuracy?.toFixed(3)}, ${p.metrics.imagesPerSecond?.toFixed(0)} img/s, ${((p.metrics.durationMs ?? 0) / 1000).toFixed(1)} s`)
  })
  const pair = await api.call('runs.startPair', { config, attributes: facePairPreset.attributes })
  await api.context.jobs.whenIdle()
  const seconds = (performance.now() - t) / 1000
  for (const r of pair.runs) {
    const run = await api.call('runs.get', { id: r.id })
    console.log(`  ${run.config.label.kind === 'attribute' ? run.config.label.attribute : 'class'}: ${run.status}, test accuracy ${run.lastMetrics?.testAccuracy?.toFixed(3)} after ${run.epochsCompleted} epochs`)
  }
  console.log(`  pair trained in ${seconds.toFixed(0)} s (both runs, one after the other), load ${loadavg()[0].toFixed(1)}`)
  api.close()
  rmSync(root, { recursive: true, force: true })
}

await main()

/**
 * Early exit by feature-map similarity (seed 000) on real runs: a LeNet-5 trained on half of
 * each MNIST class, and a narrow VGG-11 (width 0.25, batch norm) on the synthetic faces
 * (Smiling, half of each class). For each: the full network's latency at batch 1 and 64, and
 * each strategy at its fastest threshold within 1 pt of full accuracy, all measured wall clock
 * with descriptor and search included. Then Experiment 2 for one pair of MNIST digits.
 * Prints figures and ratios; not a test. Runs are kept in the workspace and reused.
 *
 *   node --import tsx bench/early-exit.ts [--workspace DIR] [--queries N] [--skip-vgg] [--skip-exp2]
 *     [--mnist-epochs N] [--faces N] [--vgg-epochs N]
 */
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { EarlyExitResult } from '../src-shared/earlyExit'
import type { RunSummary, TrainConfigInput } from '../src-shared/run'
import { openApi, type OpenApi } from '../src-main/api/openApi'
import { initBackend } from '../src-main/engine/backend/select'
import { generateSyntheticFaces } from '../src-main/engine/data/synthFaces/generate'

const { values } = parseArgs({
  options: {
    workspace: { type: 'string', default: join(tmpdir(), 'featurelens-bench-early-exit') },
    queries: { type: 'string', default: '500' },
    'skip-vgg': { type: 'boolean', default: false },
    'skip-exp2': { type: 'boolean', default: false },
    'mnist-epochs': { type: 'string', default: '2' },
    faces: { type: 'string', default: '2000' },
    'vgg-epochs': { type: 'string', default: '3' }
  }
})
const QUERIES = Number(values.queries)

async function trainedRun(api: OpenApi, name: string, config: TrainConfigInput): Promise<RunSummary> {
  const existing = (await api.call('runs.list', {})).find((r) => r.name === name && r.status === 'completed')
  if (existing) return existing
  const t0 = performance.now()
  const started = await api.call('runs.start', { config: { ...config, name } })
  await api.context.jobs.whenIdle()
  const run = await api.call('runs.get', { id: started.id })
  if (run.status !== 'completed') throw new Error(`${name}: ${run.status} ${run.statusReason}`)
  console.log(`  trained ${name} in ${((performance.now() - t0) / 1000).toFixed(0)} s: test accuracy ${((run.lastMetrics?.testAccuracy ?? NaN) * 100).toFixed(2)}%`)
  return run
}

const ms = (v: number) => `${v.toFixed(3)} ms`

/** A benchmark measures: results cached by an earlier run of it are dropped first. */
function forgetCached(api: OpenApi, runId: string): void {
  api.context.db.prepare(`DELETE FROM analysis_cache WHERE run_id = ? AND kind = 'earlyexit'`).run(runId)
}

function report(title: string, r: EarlyExitResult): void {
  console.log(`\n${title} (${r.runId}, epoch ${r.epoch}): ${r.queries} queries, ${r.querySource}; layers ${r.layers.join(', ')}`)
  console.log(`  full network: accuracy ${(r.full.accuracy * 100).toFixed(2)}%, batch 1 mean ${ms(r.full.batch1.mean)} p95 ${ms(r.full.batch1.p95)}, batch ${r.batch} mean ${ms(r.full.batched.mean)} p95 ${ms(r.full.batched.p95)} per image`)
  for (const s of r.strategies) {
    const b1 = s.batch1
    console.log(
      `  ${s.strategy.padEnd(10)} ${s.thresholdName} ${Number(s.threshold.toPrecision(4))} (${s.chosenBy}): accuracy ${(s.accuracy * 100).toFixed(2)}% (${((s.accuracy - r.full.accuracy) * 100).toFixed(2)} pt), ` +
        `exits ${(s.hitRate * 100).toFixed(1)}% [${s.perLayer.map((l) => `${l.layer} ${(l.hitRate * 100).toFixed(1)}%`).join(', ')}]`
    )
    console.log(
      `             batch 1: ${ms(b1.mean)} (p95 ${ms(b1.p95)}) = stages ${ms(b1.split.stages)} + descriptor ${ms(b1.split.descriptor)} + search ${ms(b1.split.search)} → ${s.speedup.toFixed(2)}× full; ` +
        `batch ${r.batch}: ${ms(s.batched.mean)} → ${s.speedupBatched.toFixed(2)}× full`
    )
  }
  console.log(`  ${r.sentence}`)
}

async function main(): Promise<void> {
  const backend = await initBackend(null)
  console.log(`early exit: node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), load ${loadavg()[0].toFixed(1)}, backend ${backend.chosen}, workspace ${values.workspace}`)
  const api = openApi({ workspace: values.workspace, shell: 'web' })
  try {
    const lenet = await trainedRun(api, 'bench · lenet5 · MNIST half of each class', {
      dataset: 'mnist',
      model: { name: 'lenet5' },
      epochs: Number(values['mnist-epochs']),
      fractionPerClass: 0.5,
      validationSplit: 0,
      seed: 42
    })
    let t0 = performance.now()
    const d = await api.call('earlyExit.descriptors', { runId: lenet.id })
    console.log(`  descriptors of ${d.images} training images (${d.extracted} extracted now) in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    t0 = performance.now()
    forgetCached(api, lenet.id)
    report('LeNet-5, MNIST', await api.call('earlyExit.run', { runId: lenet.id, queries: QUERIES, batch: 64 }))
    console.log(`  (analysis ${((performance.now() - t0) / 1000).toFixed(1)} s)`)

    if (!values['skip-exp2']) {
      t0 = performance.now()
      const exp2 = await api.call('earlyExit.featureMapTrain', { runId: lenet.id, classes: [3, 8], layer: 'c3', epochs: 2 })
      console.log(`\nExperiment 2, MNIST ${exp2.classes.join(' vs ')} on ${exp2.layer} maps [${exp2.mapShape.join(', ')}] (${((performance.now() - t0) / 1000).toFixed(0)} s):`)
      for (const row of exp2.rows) console.log(`  ${row.kind.padEnd(13)} accuracy ${(row.accuracy * 100).toFixed(2)}%, loss ${row.loss.toFixed(4)}, training ${row.trainingSeconds.toFixed(1)} s (${row.trainImages} train / ${row.testImages} test images)`)
      console.log(`  ${exp2.sentence}`)
    }

    if (!values['skip-vgg']) {
      const faces = join(values.workspace, 'faces')
      if (!existsSync(join(faces, 'list_attr_celeba.txt'))) await generateSyntheticFaces(faces, { count: Number(values.faces), size: 64, seed: 7 })
      const vgg = await trainedRun(api, 'bench · narrow VGG-11 · faces Smiling', {
        dataset: faces,
        label: { kind: 'attribute', attribute: 'Smiling' },
        model: { name: 'vgg11', widthMultiplier: 0.25, batchNorm: true },
        epochs: Number(values['vgg-epochs']),
        batchSize: 32,
        fractionPerClass: 0.5,
        validationSplit: 0,
        seed: 42
      })
      t0 = performance.now()
      forgetCached(api, vgg.id)
      report('narrow VGG-11, synthetic faces (Smiling)', await api.call('earlyExit.run', { runId: vgg.id, queries: QUERIES, batch: 64 }))
      console.log(`  (descriptors and analysis ${((performance.now() - t0) / 1000).toFixed(1)} s)`)
    }
  } finally {
    api.close()
  }
}

await main()

import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TaskProgress } from '../../src-shared/api/tasks'
import { EarlyExitRequest } from '../../src-shared/earlyExit'
import { TrainConfig, type RunSummary } from '../../src-shared/run'
import type { OpenApi } from '../../src-main/api/openApi'
import { loadRunModel } from '../../src-main/engine/models/storedModel'
import { channelDescriptor } from '../../src-main/engine/analysis/core/descriptors'
import { readLayerDescriptors } from '../../src-main/engine/store/descriptorStore'
import { runEarlyExit } from '../../src-main/engine/analysis/earlyExit/earlyExitAnalysis'
import { type EarlyExitInputs } from '../../src-main/engine/analysis/earlyExit/earlyExitInputs'
import { classifyEarly, classifyFull, type ExitRule } from '../../src-main/engine/analysis/earlyExit/earlyExitClassifier'
import { extractDescriptors } from '../../src-main/engine/analysis/earlyExit/extractDescriptors'
import { queryImages, referenceImages } from '../../src-main/engine/analysis/earlyExit/imageSets'
import { stagedModel } from '../../src-main/engine/analysis/earlyExit/stagedModel'
import { strategyOf } from '../../src-main/engine/analysis/earlyExit/strategies'
import { initBackend } from '../../src-main/engine/backend/select'
import { openDataset } from '../../src-main/engine/data/index'
import { buildBuiltinModel } from '../../src-main/engine/models/index'
import { descriptorsCommand } from '../../src-main/cli/commands/descriptors'
import { earlyExitCommand } from '../../src-main/cli/commands/earlyExit'
import { featureMapTrainCommand } from '../../src-main/cli/commands/featureMapTrain'
import { trainEarlyExitRun } from '../support/earlyExitRun'
import { storeRun } from '../support/storedRun'

let api: OpenApi
let run: RunSummary
const LAYERS = ['c1', 'c3', 'c5']

const count = (sql: string, ...args: unknown[]): number => (api.context.db.prepare(sql).get(...args) as { n: number }).n

/** The early-exit inputs for the shared run, as the handler builds them, for the engine-level properties. */
async function inputsFor(queries: number): Promise<EarlyExitInputs> {
  const model = await loadRunModel(api.context.db, run.id, 1)
  const dataset = await openDataset('mnist')
  const set = queryImages(dataset, run.config, queries, 0)
  const shape = { height: 28, width: 28, channels: 1 }
  const batch = await set.source.readBatch(set.indices, shape)
  return {
    model,
    stages: stagedModel(model, LAYERS),
    layers: LAYERS,
    references: LAYERS.map((l) => readLayerDescriptors(api.context.db, run.id, 1, l)),
    referenceSource: 'training images',
    queries: { x: batch.x, labels: batch.labels, count: batch.indices.length, shape, description: 'queries' },
    classNames: dataset.classNames,
    runId: run.id,
    epoch: 1
  }
}

async function ruleFor(inputs: EarlyExitInputs, threshold: number): Promise<ExitRule> {
  const strategy = strategyOf('knn', { k: 3, confidenceMeasure: 'probability', seed: 0 })
  return { strategy, threshold, globalDistance: null, matchers: await Promise.all(inputs.references.map((r) => strategy.build(r, 10))) }
}

beforeAll(async () => {
  await initBackend()
  ;({ api, run } = await trainEarlyExitRun())
}, 300_000)
afterAll(() => api?.close())

describe('the descriptor cache', () => {
  it('extracts in batches with progress, stops on cancel keeping whole batches, and resumes where it stopped', async () => {
    const model = await loadRunModel(api.context.db, run.id, 1)
    const images = referenceImages(await openDataset('mnist'), run.config)
    // Cancel as soon as two batches are in the database; the extraction yields between batches.
    const controller = new AbortController()
    const watcher = setInterval(() => {
      if (count(`SELECT count(*) AS n FROM descriptors WHERE run_id = ? AND layer = 'c1'`, run.id) >= 64) controller.abort()
    }, 1)
    const extraction = extractDescriptors(api.context.db, { runId: run.id, epoch: 1, model, layers: LAYERS }, images, { signal: controller.signal }, 32)
    await expect(extraction.finally(() => clearInterval(watcher))).rejects.toThrow(/cancelled/)
    const partial = count(`SELECT count(*) AS n FROM descriptors WHERE run_id = ? AND layer = 'c1'`, run.id)
    expect(partial).toBeGreaterThan(0)
    expect(partial).toBeLessThan(images.indices.length)
    expect(partial % 32).toBe(0)
    for (const l of LAYERS) expect(count(`SELECT count(*) AS n FROM descriptors WHERE run_id = ? AND layer = ?`, run.id, l)).toBe(partial)

    const events: TaskProgress[] = []
    const off = api.context.events.subscribe((name, p) => name === 'task.progress' && events.push(p as TaskProgress))
    const result = await api.dispatch('earlyExit.descriptors', { runId: run.id, taskId: 'extract-1' })
    off()
    expect(result).toMatchObject({ images: images.indices.length, extracted: images.indices.length - partial })
    expect((result as { layers: { count: number }[] }).layers.map((l) => l.count)).toEqual([images.indices.length, images.indices.length, images.indices.length])
    expect(events.some((e) => e.stage?.startsWith('resuming'))).toBe(true)
    expect(events.at(-1)).toMatchObject({ done: images.indices.length, total: images.indices.length, task: 'descriptor extraction' })
    model.dispose()

    // The CLI finds everything stored and lists the layers.
    const lines: string[] = []
    expect(await descriptorsCommand.run([run.id, '--workspace', api.context.workspace.dir], { out: (l) => lines.push(l), err: () => undefined })).toBe(0)
    expect(lines[0]).toContain(`0 extracted now, ${images.indices.length} were already stored`)
    expect(lines.slice(2).map((l) => l.split(/\s+/).slice(0, 3))).toEqual([
      ['c1', String(images.indices.length), '12'],
      ['c3', String(images.indices.length), '32'],
      ['c5', String(images.indices.length), '240']
    ])
  }, 120_000)

  it('reads back from SQLite exactly the descriptors computed afresh from the feature maps', async () => {
    const model = await loadRunModel(api.context.db, run.id, 1)
    const dataset = await openDataset('mnist')
    const stored = readLayerDescriptors(api.context.db, run.id, 1, 'c3')
    const picks = [0, 17, stored.images.length - 1]
    const batch = await dataset.split('train').readBatch(picks.map((p) => stored.images[p]), { height: 28, width: 28, channels: 1 })
    const probe = tf.model({ inputs: model.inputs, outputs: model.getLayer('c3').output as tf.SymbolicTensor })
    const maps = probe.predict(tf.tensor4d(batch.x, [3, 28, 28, 1])) as tf.Tensor
    const data = maps.dataSync() as Float32Array
    const [, h, w, c] = maps.shape
    picks.forEach((p, i) => {
      const fresh = channelDescriptor(data.subarray(i * h * w * c, (i + 1) * h * w * c), [h, w, c])
      expect(Array.from(stored.vectors.subarray(p * stored.dim, (p + 1) * stored.dim))).toEqual(Array.from(fresh))
      expect(stored.labels[p]).toBe(batch.labels[i])
    })
    tf.dispose([maps])
    model.dispose()
  })
})

describe('the staged early-exit classifier', () => {
  it('with a threshold that never lets an image exit, predicts exactly what the full network predicts', async () => {
    const inputs = await inputsFor(60)
    const rule = await ruleFor(inputs, -1)
    const x = tf.tensor4d(inputs.queries.x, [inputs.queries.count, 28, 28, 1])
    const early = classifyEarly(inputs.stages, rule, x)
    const full = classifyFull(inputs.model, x)
    expect(Array.from(early.labels)).toEqual(Array.from(full.labels))
    expect(early.exitLayer.every((e) => e === -1)).toBe(true)
    x.dispose()
  })

  it('with a threshold every image passes, exits every image at the first layer and runs nothing deeper', async () => {
    const inputs = await inputsFor(40)
    const rule = await ruleFor(inputs, 3)
    const deeper = { calls: 0 }
    const stages = inputs.stages.map((s, i) => (i === 0 ? s : { ...s, run: (t: tf.Tensor) => (deeper.calls++, s.run(t)) }))
    const x = tf.tensor4d(inputs.queries.x, [inputs.queries.count, 28, 28, 1])
    const early = classifyEarly(stages, rule, x)
    expect(early.exitLayer.every((e) => e === 0)).toBe(true)
    expect(deeper.calls).toBe(0)
    x.dispose()
    const result = await runEarlyExit({ ...inputs, stages }, EarlyExitRequest.parse({ runId: run.id, strategies: ['knn'], threshold: 3, k: 3, queries: 40 }))
    expect(result.strategies[0].perLayer[0]).toMatchObject({ layer: 'c1', hitRate: 1 })
    expect(result.strategies[0].hitRate).toBe(1)
  })

  it('reports latency from measurement: a stage made 3 ms slower makes the reported time grow', async () => {
    const inputs = await inputsFor(20)
    const request = EarlyExitRequest.parse({ runId: run.id, strategies: ['centroid'], threshold: -1, queries: 20, batch: 10 })
    const plain = await runEarlyExit(inputs, request)
    const slow = inputs.stages.map((s, i) =>
      i === 1
        ? {
            ...s,
            run: (t: tf.Tensor) => {
              const until = performance.now() + 3
              while (performance.now() < until);
              return s.run(t)
            }
          }
        : s
    )
    const slowed = await runEarlyExit({ ...inputs, stages: slow }, request)
    const [a, b] = [plain.strategies[0], slowed.strategies[0]]
    expect(b.batch1.mean - a.batch1.mean).toBeGreaterThan(2.5)
    expect(b.batch1.split.stages - a.batch1.split.stages).toBeGreaterThan(2.5)
    // The sweep's latencies come from the same per-image measurements (its point where no image exits).
    const never = (s: typeof a) => s.sweep.find((p) => p.threshold === -1)!.meanLatencyMs
    expect(never(b) - never(a)).toBeGreaterThan(2.5)
    // The full network was not slowed.
    expect(slowed.full.batch1.mean).toBeLessThan(plain.full.batch1.mean + 2)
  })
})

describe('the early-exit analysis through the API and the CLI', () => {
  it('gives statistics, sweeps, measured latencies and a sentence true to its numbers, cached in the workspace', async () => {
    const events: TaskProgress[] = []
    const off = api.context.events.subscribe((name, p) => name === 'task.progress' && events.push(p as TaskProgress))
    const r = await api.call('earlyExit.run', { runId: run.id, queries: 60, batch: 16, taskId: 'ee-1' })
    off()
    expect(events.some((e) => e.taskId === 'ee-1' && e.task === 'early exit')).toBe(true)
    expect(r.strategies.map((s) => s.strategy)).toEqual(['knn', 'centroid', 'confidence'])
    expect(r.full.confusion.flat().reduce((a, b) => a + b, 0)).toBe(60)
    for (const s of r.strategies) {
      expect(s.confusion.flat().reduce((a, b) => a + b, 0)).toBe(60)
      expect(s.sweep.length).toBeGreaterThan(3)
      expect(s.perLayer.map((l) => l.layer)).toEqual(LAYERS)
      expect(s.batch1.mean).toBeGreaterThan(0)
      const faster = s.batch1.mean < r.full.batch1.mean
      expect(s.sentence).toMatch(faster ? /faster/ : /slower/)
      expect(s.speedup > 1).toBe(faster)
    }
    expect(r.strategies.map((s) => s.sentence)).toContain(r.sentence)
    const again = await api.call('earlyExit.run', { runId: run.id, queries: 60, batch: 16 })
    expect(again.computedAt).toBe(r.computedAt)
    expect((await api.call('earlyExit.latest', { runId: run.id }))?.computedAt).toBe(r.computedAt)
  }, 120_000)

  it('prints the statistics, the sweep and the sentence from the CLI', async () => {
    const lines: string[] = []
    const io = { out: (l: string) => lines.push(l), err: () => undefined }
    const code = await earlyExitCommand.run([run.id, '--strategy', 'centroid', '--queries', '30', '--sweep', '--workspace', api.context.workspace.dir], io)
    expect(code).toBe(0)
    const text = lines.join('\n')
    expect(text).toMatch(/class centroids: factor × class mean distance/)
    expect(text).toMatch(/THRESHOLD\s+ACCURACY\s+MEAN MS\s+HIT RATE/)
    expect(lines.at(-1)).toMatch(/^(On this run early exit is .*× faster|Early exit is slower here)/)
  }, 120_000)
})

describe('bad input: a clear error naming the value, nothing half-written', () => {
  const rows = () => count(`SELECT count(*) AS n FROM descriptors`) + count(`SELECT count(*) AS n FROM analysis_cache`)

  it('refuses a run without conv layers, an epoch that does not exist and a layer after the flatten', async () => {
    const before = rows()
    const dense = buildBuiltinModel({ name: 'fcnn3', widthMultiplier: 0.25, batchNorm: false }, { height: 28, width: 28, channels: 1 }, 10, 'softmax', 1)
    const denseRun = storeRun(api.context.db, dense, 2, undefined, TrainConfig.parse({ dataset: 'mnist', model: { name: 'fcnn3' } }))
    await expect(api.dispatch('earlyExit.run', { runId: denseRun })).rejects.toThrow(/no conv layers/)
    await expect(api.dispatch('earlyExit.descriptors', { runId: denseRun })).rejects.toThrow(/no conv layers/)
    await expect(api.dispatch('earlyExit.run', { runId: run.id, epoch: 7 })).rejects.toThrow(/epoch 7 is not stored for this run; stored epochs are 0, 1/)
    await expect(api.dispatch('earlyExit.run', { runId: run.id, layers: ['f6'] })).rejects.toThrow(/"f6" comes after the flatten/)
    await expect(api.dispatch('earlyExit.featureMapTrain', { runId: run.id, classes: [3, 8], layer: 'f6' })).rejects.toThrow(/"f6" comes after the flatten/)
    expect(rows()).toBe(before)
  })

  it('refuses a threshold that is not a number, in the API and the CLI', async () => {
    const before = rows()
    await expect(api.dispatch('earlyExit.run', { runId: run.id, threshold: 'abc' as unknown as number })).rejects.toThrow(/threshold: threshold must be a number/)
    const io = { out: () => undefined, err: () => undefined }
    await expect(earlyExitCommand.run([run.id, '--threshold', 'abc', '--workspace', api.context.workspace.dir], io)).rejects.toThrow(/--threshold must be a number, got "abc"/)
    expect(rows()).toBe(before)
  })

  it('refuses two classes that are the same or not in the dataset', async () => {
    const before = count(`SELECT count(*) AS n FROM runs`)
    await expect(api.dispatch('earlyExit.featureMapTrain', { runId: run.id, classes: [3, 3], layer: 'c3' })).rejects.toThrow(/the two classes must differ, got 3 \(3\) twice/)
    await expect(api.dispatch('earlyExit.featureMapTrain', { runId: run.id, classes: [3, 12], layer: 'c3' })).rejects.toThrow(/class 12 is not in the dataset; it has classes 0 to 9/)
    const io = { out: () => undefined, err: () => undefined }
    await expect(featureMapTrainCommand.run([run.id, '--classes', '3', '--layer', 'c3', '--workspace', api.context.workspace.dir], io)).rejects.toThrow(/--classes needs two class indices like 3,8; got "3"/)
    expect(count(`SELECT count(*) AS n FROM runs`)).toBe(before)
  })
})

describe('Experiment 2 and deleting a run', () => {
  it('trains a model on feature maps and one on images, both kept as runs the inspector opens', async () => {
    const r = await api.call('earlyExit.featureMapTrain', { runId: run.id, classes: [0, 1], layer: 'c3', epochs: 1, limit: 120 })
    expect(r.classes).toEqual(['0', '1'])
    expect(r.mapShape).toEqual([10, 10, 16])
    for (const row of r.rows) {
      expect(row.accuracy).toBeGreaterThan(0.5)
      expect(row.trainingSeconds).toBeGreaterThan(0)
      const stored = await api.call('runs.get', { id: row.runId })
      expect(stored.status).toBe('completed')
      const overview = await api.call('inspect.overview', { runId: row.runId })
      expect(overview.layers.map((l) => l.name)).toContain('c3')
    }
  }, 120_000)

  it("deletes a run's descriptors and cached results with the run", async () => {
    expect(count(`SELECT count(*) AS n FROM descriptors WHERE run_id = ?`, run.id)).toBeGreaterThan(0)
    await api.dispatch('runs.delete', { id: run.id })
    expect(count(`SELECT count(*) AS n FROM descriptors WHERE run_id = ?`, run.id)).toBe(0)
    expect(count(`SELECT count(*) AS n FROM analysis_cache WHERE run_id = ?`, run.id)).toBe(0)
  })
})

/**
 * The early-exit experiment on one run: every query image once through all stages at batch 1
 * (each stage, descriptor and search timed, every strategy's match at every candidate layer
 * kept), threshold sweeps from those per-image measurements, then each strategy's operating
 * point measured for real with the staged classifier, at batch 1 and batched, against the full
 * network measured the same way. Ends with a sentence that states the result.
 */
import * as tf from '@tensorflow/tfjs'
import type { EarlyExitRequest, EarlyExitResult, StrategyName, StrategyResult, SweepPoint } from '../../../../src-shared/earlyExit'
import { TaskProgressTracker, type TaskControl } from '../../tasks/taskControl'
import { passes, predictedClasses, type ExitRule } from './earlyExitClassifier'
import { imageTensor, measureAll, warmUp } from './earlyExitTiming'
import { batchDescriptors } from '../core/descriptors'
import type { EarlyExitInputs } from './earlyExitInputs'
import { strategyOf, type LayerMatcher, type Matches, type Strategy } from './strategies'
import { resultSentence, strategySentence } from './sentence'

interface Profile {
  /** [image × stage] ms of each stage at batch 1 (the last stage is the rest of the network). */
  stageMs: Float64Array
  /** [image × layer] ms of the descriptor. */
  descriptorMs: Float64Array
  /** Per strategy: [image × layer] ms of the search, and the matches per layer. */
  searchMs: Map<StrategyName, Float64Array>
  matches: Map<StrategyName, Matches[]>
  fullLabels: Int32Array
}


function confusion(truth: Int32Array, predicted: Int32Array, classes: number): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0))
  truth.forEach((t, i) => {
    if (t < classes && predicted[i] < classes) m[t][predicted[i]]++
  })
  return m
}

function accuracyOf(truth: Int32Array, predicted: Int32Array): number {
  let right = 0
  truth.forEach((t, i) => (right += t === predicted[i] ? 1 : 0))
  return truth.length ? right / truth.length : 0
}

/** One pass per image through every stage, timing each part and matching with every strategy. */
async function profile(inputs: EarlyExitInputs, matchers: Map<StrategyName, LayerMatcher[]>, tracker: TaskProgressTracker): Promise<Profile> {
  const { queries, stages, layers } = inputs
  const n = queries.count
  const s = stages.length
  const stageMs = new Float64Array(n * s)
  const descriptorMs = new Float64Array(n * layers.length)
  const searchMs = new Map<StrategyName, Float64Array>()
  const perLayer = new Map<StrategyName, Matches[]>()
  for (const name of matchers.keys()) {
    searchMs.set(name, new Float64Array(n * layers.length))
    perLayer.set(name, layers.map(() => ({ labels: new Int32Array(n), scores: new Float32Array(n), distances: new Float32Array(n) })))
  }
  const fullLabels = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    let current: tf.Tensor = imageTensor(queries, i, 1)
    for (let k = 0; k < s; k++) {
      let t = performance.now()
      const out = stages[k].run(current)
      current.dispose()
      const data = out.dataSync() as Float32Array
      stageMs[i * s + k] = performance.now() - t
      if (stages[k].boundary === null) {
        fullLabels[i] = predictedClasses(data, 1)[0]
        out.dispose()
        break
      }
      t = performance.now()
      const descriptor = batchDescriptors(data, out.shape)
      descriptorMs[i * layers.length + k] = performance.now() - t
      for (const [name, list] of matchers) {
        t = performance.now()
        const m = list[k].match(descriptor, 1, true)
        searchMs.get(name)![i * layers.length + k] = performance.now() - t
        const slot = perLayer.get(name)![k]
        slot.labels[i] = m.labels[0]
        slot.scores[i] = m.scores[0]
        slot.distances[i] = m.distances[0]
      }
      current = out
    }
    await tracker.step(1)
  }
  return { stageMs, descriptorMs, searchMs, matches: perLayer, fullLabels }
}

/** Accuracy, hit rates and mean latency of one threshold, from the per-image profile. */
function sweepPoint(inputs: EarlyExitInputs, p: Profile, strategy: Strategy, threshold: number, globalDistance: number | null): SweepPoint {
  const n = inputs.queries.count
  const L = inputs.layers.length
  const s = inputs.stages.length
  const matches = p.matches.get(strategy.name)!
  const search = p.searchMs.get(strategy.name)!
  const hits = new Array<number>(L).fill(0)
  const rule = { strategy, threshold, globalDistance } as ExitRule
  let right = 0
  let total = 0
  for (let i = 0; i < n; i++) {
    let label = p.fullLabels[i]
    let ms = 0
    let exited = false
    for (let k = 0; k < L; k++) {
      ms += p.stageMs[i * s + k] + p.descriptorMs[i * L + k] + search[i * L + k]
      if (passes(rule, matches[k].scores[i], matches[k].distances[i])) {
        label = matches[k].labels[i]
        hits[k]++
        exited = true
        break
      }
    }
    if (!exited) ms += p.stageMs[i * s + s - 1]
    total += ms
    if (label === inputs.queries.labels[i]) right++
  }
  return { threshold, accuracy: right / n, meanLatencyMs: total / n, hitRate: hits.reduce((a, b) => a + b, 0) / n, perLayerHitRate: hits.map((h) => h / n) }
}

/** Thresholds to sweep: the never/always ends and quantiles of the scores seen. */
function sweepThresholds(strategy: Strategy, matches: Matches[], points = 24): number[] {
  const scores = matches.flatMap((m) => Array.from(m.scores)).filter(Number.isFinite).sort((a, b) => a - b)
  const picks = new Set<number>()
  for (let q = 0; q < points; q++) {
    const v = scores[Math.min(scores.length - 1, Math.floor((q / (points - 1)) ** 2 * (scores.length - 1)))]
    if (v !== undefined) picks.add(Number(v.toPrecision(4)))
  }
  // Plus a threshold at which no image exits: the full network's own point.
  picks.add(strategy.never)
  return [...picks].sort((a, b) => a - b)
}

export async function runEarlyExit(inputs: EarlyExitInputs, request: EarlyExitRequest, control: TaskControl = {}): Promise<EarlyExitResult> {
  const { queries, layers } = inputs
  const numClasses = inputs.classNames.length
  const strategies = request.strategies.map((name) => strategyOf(name, { k: request.k, confidenceMeasure: request.confidenceMeasure, seed: request.seed }))
  const tracker = new TaskProgressTracker(queries.count * (1 + strategies.length), control, 'early exit')
  tracker.stage('preparing the matchers')
  const matchers = new Map<StrategyName, LayerMatcher[]>()
  try {
    for (const strategy of strategies) {
      const list: LayerMatcher[] = []
      for (const ref of inputs.references) {
        list.push(await strategy.build(ref, numClasses))
        await tracker.step(0)
      }
      matchers.set(strategy.name, list)
    }
    warmUp(inputs, request.batch)
    tracker.stage('timing every stage, descriptor and search per image')
    const prof = await profile(inputs, matchers, tracker)
    // The full network's accuracy as the profile saw it (the same classes the measured run gives).
    const fullAccuracy = accuracyOf(queries.labels, prof.fullLabels)
    const globalDistance = request.globalDistance ?? null
    const chosen = strategies.map((strategy) => {
      const thresholds = sweepThresholds(strategy, prof.matches.get(strategy.name)!)
      const sweep = thresholds.map((t) => sweepPoint(inputs, prof, strategy, t, globalDistance))
      if (request.threshold !== undefined) return { strategy, sweep, threshold: request.threshold, chosenBy: 'given' as const }
      const within = sweep.filter((p) => p.accuracy >= fullAccuracy - 0.01)
      if (within.length) return { strategy, sweep, threshold: within.reduce((a, b) => (b.meanLatencyMs < a.meanLatencyMs ? b : a)).threshold, chosenBy: 'best within 1 pt' as const }
      return { strategy, sweep, threshold: sweep.reduce((a, b) => (b.accuracy > a.accuracy ? b : a)).threshold, chosenBy: 'most accurate' as const }
    })
    tracker.stage('measuring the full network and early exit, at batch 1 and batched')
    const rules: ExitRule[] = chosen.map((c) => ({ strategy: c.strategy, matchers: matchers.get(c.strategy.name)!, threshold: c.threshold, globalDistance }))
    const { full, early } = measureAll(inputs, rules, request.batch)
    await tracker.step(queries.count * strategies.length)
    const results: StrategyResult[] = chosen.map((c, r) => {
      const measured = early[r]
      const perLayer = layers.map((layer, k) => {
        const at = [...measured.exitLayer.keys()].filter((i) => measured.exitLayer[i] === k)
        const right = at.filter((i) => measured.labels[i] === queries.labels[i]).length
        return { layer, hits: at.length, hitRate: at.length / queries.count, accuracy: at.length ? right / at.length : null }
      })
      const partial: Omit<StrategyResult, 'sentence'> = {
        strategy: c.strategy.name,
        thresholdName: c.strategy.thresholdName,
        threshold: c.threshold,
        chosenBy: c.chosenBy,
        accuracy: accuracyOf(queries.labels, measured.labels),
        hitRate: perLayer.reduce((a, l) => a + l.hits, 0) / queries.count,
        perLayer,
        batch1: measured.batch1,
        batched: measured.batched,
        speedup: full.batch1.mean / measured.batch1.mean,
        speedupBatched: full.batched.mean / measured.batched.mean,
        confusion: confusion(queries.labels, measured.labels, numClasses),
        sweep: c.sweep
      }
      return { ...partial, sentence: strategySentence(partial, { accuracy: accuracyOf(queries.labels, full.labels), batch1: full.batch1 }) }
    })
    const fullAccuracyMeasured = accuracyOf(queries.labels, full.labels)
    tracker.finish()
    const fullStats = { accuracy: fullAccuracyMeasured, batch1: full.batch1, batched: full.batched, confusion: confusion(queries.labels, full.labels, numClasses) }
    return {
      runId: inputs.runId,
      epoch: inputs.epoch,
      layers,
      classNames: inputs.classNames,
      queries: queries.count,
      querySource: queries.description,
      referenceSource: inputs.referenceSource,
      batch: request.batch,
      full: fullStats,
      strategies: results,
      sentence: resultSentence(results, fullStats),
      computedAt: new Date().toISOString()
    }
  } finally {
    for (const list of matchers.values()) list.forEach((m) => m.dispose())
  }
}

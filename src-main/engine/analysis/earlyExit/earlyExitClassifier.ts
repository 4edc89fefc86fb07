/**
 * The early-exit classifier. For a batch of images it runs the network one stage at a time;
 * after each candidate layer it computes the descriptors of the images still in flight,
 * matches them, lets those that pass leave with the matched label, and continues only the
 * others from the kept tensor. Images that never pass get the full network's prediction.
 * Wall-clock time is split into stages (the network), descriptor and search (incl. the decision).
 */
import * as tf from '@tensorflow/tfjs'
import { argmax } from '../core/argmax'
import { batchDescriptors } from '../core/descriptors'
import { forward, type Stage } from './stagedModel'
import type { LayerMatcher, Strategy } from './strategies'

export interface ExitRule {
  strategy: Strategy
  matchers: LayerMatcher[]
  threshold: number
  /** Also require the match's cosine distance ≤ this; null for none. */
  globalDistance: number | null
}

export interface TimeSplit {
  stages: number
  descriptor: number
  search: number
}

export interface EarlyExitOutcome {
  labels: Int32Array
  /** Index of the candidate layer each image left at, or −1 when it ran the whole network. */
  exitLayer: Int32Array
  /** Milliseconds of the whole batch, wall clock, and its split. */
  totalMs: number
  split: TimeSplit
}

/** The class of each row of a network output: argmax, or p > 0.5 for a single sigmoid unit. */
export function predictedClasses(data: Float32Array | Int32Array | Uint8Array, rows: number): Int32Array {
  const width = data.length / rows
  const out = new Int32Array(rows)
  for (let r = 0; r < rows; r++) {
    if (width === 1) {
      out[r] = data[r] > 0.5 ? 1 : 0
      continue
    }
    out[r] = argmax(data, r * width, width)
  }
  return out
}

export function passes(rule: ExitRule, score: number, distance: number): boolean {
  return rule.strategy.exits(score, rule.threshold) && (rule.globalDistance === null || distance <= rule.globalDistance)
}

export function classifyEarly(stages: readonly Stage[], rule: ExitRule, x: tf.Tensor): EarlyExitOutcome {
  const n = x.shape[0] ?? 1
  const labels = new Int32Array(n)
  const exitLayer = new Int32Array(n).fill(-1)
  const split: TimeSplit = { stages: 0, descriptor: 0, search: 0 }
  const start = performance.now()
  let alive = Int32Array.from({ length: n }, (_, i) => i)
  let current = x
  let candidate = 0
  for (const stage of stages) {
    let t = performance.now()
    const out = stage.run(current)
    if (current !== x) current.dispose()
    const data = out.dataSync() as Float32Array
    split.stages += performance.now() - t
    if (stage.boundary === null) {
      predictedClasses(data, alive.length).forEach((label, i) => (labels[alive[i]] = label))
      out.dispose()
      break
    }
    t = performance.now()
    const descriptors = batchDescriptors(data, out.shape)
    split.descriptor += performance.now() - t
    t = performance.now()
    const matches = rule.matchers[candidate].match(descriptors, alive.length, rule.globalDistance !== null)
    const keep: number[] = []
    for (let i = 0; i < alive.length; i++) {
      if (passes(rule, matches.scores[i], matches.distances[i])) {
        labels[alive[i]] = matches.labels[i]
        exitLayer[alive[i]] = candidate
      } else keep.push(i)
    }
    split.search += performance.now() - t
    candidate++
    if (keep.length === 0) {
      out.dispose()
      alive = new Int32Array(0)
      break
    }
    if (keep.length < alive.length) {
      // The rows still in flight, copied from the maps already read back: tf.gather on the
      // wasm backend took 32 ms for a [64, 28, 28, 6] batch, a plain copy well under one.
      t = performance.now()
      const row = data.length / alive.length
      const kept = new Float32Array(keep.length * row)
      keep.forEach((i, j) => kept.set(data.subarray(i * row, (i + 1) * row), j * row))
      current = tf.tensor(kept, [keep.length, ...out.shape.slice(1)])
      out.dispose()
      alive = Int32Array.from(keep, (i) => alive[i])
      split.stages += performance.now() - t
    } else current = out
  }
  return { labels, exitLayer, totalMs: performance.now() - start, split }
}

/** The whole network, as the run's model predicts: classes and wall-clock milliseconds. */
export function classifyFull(model: tf.LayersModel, x: tf.Tensor): { labels: Int32Array; totalMs: number } {
  const start = performance.now()
  const out = forward(model, x)
  const data = out.dataSync() as Float32Array
  const labels = predictedClasses(data, x.shape[0] ?? 1)
  const totalMs = performance.now() - start
  out.dispose()
  return { labels, totalMs }
}

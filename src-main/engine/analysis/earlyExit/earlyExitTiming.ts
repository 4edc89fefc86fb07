/**
 * Wall-clock measurement of early exit against the full network: each query image at batch 1
 * and each batch, the contenders taking turns on the same input so that a slow spell of a busy
 * machine falls on all of them alike. Warm-up first, since first calls compile and allocate.
 */
import * as tf from '@tensorflow/tfjs'
import type { EarlyExitInputs, QueryImages } from './earlyExitInputs'
import { classifyEarly, classifyFull, type ExitRule, type TimeSplit } from './earlyExitClassifier'
import { forward } from './stagedModel'

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b)
  return s.length ? s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] : 0
}

export function imageTensor(q: QueryImages, from: number, count: number): tf.Tensor4D {
  const size = q.shape.height * q.shape.width * q.shape.channels
  return tf.tensor4d(q.x.subarray(from * size, (from + count) * size), [count, q.shape.height, q.shape.width, q.shape.channels])
}

interface Timed {
  mean: number
  p95: number
  split: TimeSplit
}

export interface Measured {
  labels: Int32Array
  exitLayer: Int32Array
  batch1: Timed
  batched: Timed
}

interface FullMeasured {
  labels: Int32Array
  batch1: { mean: number; p95: number }
  batched: { mean: number; p95: number }
}

/** Collects one contender's per-image (batch 1) or per-batch times and its split. */
class Timer {
  readonly perUnit: number[] = []
  readonly split: TimeSplit = { stages: 0, descriptor: 0, search: 0 }
  total = 0
  add(ms: number, images: number, split?: TimeSplit): void {
    this.perUnit.push(ms / images)
    this.total += ms
    if (split) for (const key of ['stages', 'descriptor', 'search'] as const) this.split[key] += split[key]
  }
  result(images: number): Timed {
    const split = { stages: this.split.stages / images, descriptor: this.split.descriptor / images, search: this.split.search / images }
    return { mean: this.total / images, p95: percentile(this.perUnit, 0.95), split }
  }
}

/**
 * The full network and every strategy's early exit, measured image by image (batch 1) and
 * batch by batch, taking turns on each image or batch, so a slow spell of a busy machine
 * falls on all of them alike.
 */
export function measureAll(inputs: EarlyExitInputs, rules: ExitRule[], batch: number): { full: FullMeasured; early: Measured[] } {
  const q = inputs.queries
  const fullLabels = new Int32Array(q.count)
  const early = rules.map(() => ({ labels: new Int32Array(q.count), exitLayer: new Int32Array(q.count) }))
  const full1 = new Timer()
  const fullB = new Timer()
  const early1 = rules.map(() => new Timer())
  const earlyB = rules.map(() => new Timer())
  for (let i = 0; i < q.count; i++) {
    const x = imageTensor(q, i, 1)
    const f = classifyFull(inputs.model, x)
    fullLabels[i] = f.labels[0]
    full1.add(f.totalMs, 1)
    rules.forEach((rule, r) => {
      const out = classifyEarly(inputs.stages, rule, x)
      early[r].labels[i] = out.labels[0]
      early[r].exitLayer[i] = out.exitLayer[0]
      early1[r].add(out.totalMs, 1, out.split)
    })
    x.dispose()
  }
  for (let from = 0; from < q.count; from += batch) {
    const size = Math.min(batch, q.count - from)
    const x = imageTensor(q, from, size)
    fullB.add(classifyFull(inputs.model, x).totalMs, size)
    rules.forEach((rule, r) => {
      const out = classifyEarly(inputs.stages, rule, x)
      earlyB[r].add(out.totalMs, size, out.split)
    })
    x.dispose()
  }
  const plain = (t: Timed) => ({ mean: t.mean, p95: t.p95 })
  return {
    full: { labels: fullLabels, batch1: plain(full1.result(q.count)), batched: plain(fullB.result(q.count)) },
    early: early.map((e, r) => ({ ...e, batch1: early1[r].result(q.count), batched: earlyB[r].result(q.count) }))
  }
}

/** Warms every stage and the full model up (first calls compile kernels and allocate). */
export function warmUp(inputs: EarlyExitInputs, batch: number): void {
  for (const size of [1, Math.min(batch, inputs.queries.count)]) {
    for (let r = 0; r < 3; r++) {
      const x = imageTensor(inputs.queries, 0, size)
      tf.dispose(forward(inputs.model, x))
      let current: tf.Tensor = x
      for (const stage of inputs.stages) {
        const out = stage.run(current)
        current.dispose()
        current = out
      }
      current.dispose()
    }
  }
}

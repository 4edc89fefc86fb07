/**
 * The three switchable ways of deciding, at one layer, whether an image can exit there:
 * - knn: the k nearest cached descriptors by cosine distance; the label is their majority vote,
 *   the score their mean distance; exit when the score ≤ the threshold (a distance).
 * - centroid: the authors' reference code; the nearest class centroid, exit when its distance
 *   ≤ that class's running mean distance × the threshold (a factor). Score: distance / mean distance.
 * - confidence: a softmax head on the layer's descriptors (BranchyNet-style); exit when its top
 *   probability ≥ the threshold (or, by entropy, when the entropy ≤ the threshold).
 * Every strategy also reports a cosine distance, so a global distance threshold can cap all of them.
 */
import * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../../src-shared/errors'
import { StrategyName } from '../../../../src-shared/earlyExit'
import { CosineIndex } from './cosineSearch'
import { cosineDistance, DescriptorTable } from '../core/descriptors'
import type { LayerDescriptors } from '../../store/descriptorStore'


export interface StrategyOptions {
  /** Neighbours for knn. */
  k: number
  /** The confidence head's exit rule. */
  confidenceMeasure: 'probability' | 'entropy'
  /** Seed of the confidence head's initial weights. */
  seed: number
}

export interface Matches {
  labels: Int32Array
  /** The strategy's score for each query (see `exits`). */
  scores: Float32Array
  /** Cosine distance of the match (knn: mean over the k; centroid: to the centroid; confidence: to the nearest class centroid, NaN unless asked for). */
  distances: Float32Array
}

export interface LayerMatcher {
  /** `withDistance`: also the cosine distance where the strategy does not need it itself (for the global cap). */
  match(queries: Float32Array, count: number, withDistance: boolean): Matches
  dispose(): void
}

export interface Strategy {
  name: StrategyName
  /** What the threshold means, for people. */
  thresholdName: string
  /** True when a score lets the image exit at `threshold`. */
  exits(score: number, threshold: number): boolean
  /** A threshold at which no image exits, and one at which every image does. */
  never: number
  always: number
  build(layer: LayerDescriptors, numClasses: number): Promise<LayerMatcher>
}

function majority(labels: Int32Array, from: number, k: number): number {
  // Ties go to the label of the nearer neighbour (earlier in the list).
  const votes = new Map<number, number>()
  let best = labels[from]
  let bestVotes = 0
  for (let j = 0; j < k; j++) {
    const l = labels[from + j]
    const v = (votes.get(l) ?? 0) + 1
    votes.set(l, v)
    if (v > bestVotes) {
      best = l
      bestVotes = v
    }
  }
  return best
}

function knnStrategy(k: number): Strategy {
  return {
    name: 'knn',
    thresholdName: 'cosine distance',
    exits: (score, t) => score <= t,
    never: -1,
    always: 3,
    async build(layer) {
      const index = new CosineIndex(layer.vectors, layer.dim)
      return {
        match(queries, count) {
          const found = index.search(queries, k)
          const labels = new Int32Array(count)
          const scores = new Float32Array(count)
          for (let q = 0; q < count; q++) {
            const neighbourLabels = Int32Array.from(found.indices.subarray(q * found.k, (q + 1) * found.k), (i) => layer.labels[i])
            labels[q] = majority(neighbourLabels, 0, found.k)
            let sum = 0
            for (let j = 0; j < found.k; j++) sum += found.distances[q * found.k + j]
            scores[q] = sum / found.k
          }
          return { labels, scores, distances: scores.slice() }
        },
        dispose: () => index.dispose()
      }
    }
  }
}

/** Nearest centroid of each query, with the distance; used by centroid and for the global cap. */
function nearestCentroids(table: DescriptorTable, layerName: string, queries: Float32Array, count: number, dim: number) {
  const rows = table.rows(layerName)
  const labels = new Int32Array(count)
  const distances = new Float32Array(count)
  const means = new Float32Array(count)
  for (let q = 0; q < count; q++) {
    const v = queries.subarray(q * dim, (q + 1) * dim)
    let best = -1
    let bestD = Infinity
    rows.forEach((r, i) => {
      const d = cosineDistance(v, r.centroid)
      if (d < bestD) {
        bestD = d
        best = i
      }
    })
    labels[q] = rows[best].label
    distances[q] = bestD
    means[q] = rows[best].count >= 2 ? rows[best].meanDistance : 0
  }
  return { labels, distances, means }
}

function centroidTable(layer: LayerDescriptors): DescriptorTable {
  const table = new DescriptorTable()
  for (let i = 0; i < layer.labels.length; i++) table.add(layer.layer, layer.labels[i], layer.vectors.subarray(i * layer.dim, (i + 1) * layer.dim))
  return table
}

const centroidStrategy: Strategy = {
  name: 'centroid',
  thresholdName: 'factor × class mean distance',
  exits: (score, t) => score <= t,
  never: -1,
  always: Number.MAX_VALUE,
  async build(layer) {
    const table = centroidTable(layer)
    return {
      match(queries, count) {
        const near = nearestCentroids(table, layer.layer, queries, count, layer.dim)
        // distance / mean distance; a class with no mean distance yet never lets an image exit.
        const scores = Float32Array.from(near.distances, (d, q) => (near.means[q] > 0 ? d / near.means[q] : d === 0 ? 0 : Infinity))
        return { labels: near.labels, scores, distances: near.distances }
      },
      dispose: () => undefined
    }
  }
}

/** A softmax (multinomial logistic regression) head on standardised descriptors, trained with Adam. */
async function trainHead(layer: LayerDescriptors, numClasses: number, seed: number): Promise<{ mean: Float32Array; scale: Float32Array; w: Float32Array; b: Float32Array }> {
  const { dim } = layer
  const n = layer.labels.length
  const mean = new Float32Array(dim)
  const scale = new Float32Array(dim)
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += layer.vectors[i * dim + j] / n
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) scale[j] += (layer.vectors[i * dim + j] - mean[j]) ** 2 / n
  for (let j = 0; j < dim; j++) scale[j] = scale[j] > 1e-12 ? 1 / Math.sqrt(scale[j]) : 0
  const x = new Float32Array(n * dim)
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) x[i * dim + j] = (layer.vectors[i * dim + j] - mean[j]) * scale[j]
  const w = tf.variable(tf.randomNormal([dim, numClasses], 0, 0.01, 'float32', seed))
  const b = tf.variable(tf.zeros([numClasses]))
  const xs = tf.tensor2d(x, [n, dim])
  const ys = tf.oneHot(tf.tensor1d(layer.labels, 'int32'), numClasses).toFloat()
  const optimizer = tf.train.adam(0.05)
  const batch = 1024
  for (let epoch = 0; epoch < 30; epoch++) {
    for (let start = 0; start < n; start += batch) {
      const size = Math.min(batch, n - start)
      optimizer.minimize(() => tf.tidy(() => tf.losses.softmaxCrossEntropy(ys.slice([start, 0], [size, numClasses]), tf.add(tf.matMul(xs.slice([start, 0], [size, dim]), w), b))))
    }
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
  const out = { mean, scale, w: new Float32Array(w.dataSync()), b: new Float32Array(b.dataSync()) }
  tf.dispose([w, b, xs, ys])
  optimizer.dispose()
  return out
}

function confidenceStrategy(measure: 'probability' | 'entropy', seed: number): Strategy {
  const byEntropy = measure === 'entropy'
  return {
    name: 'confidence',
    thresholdName: byEntropy ? 'entropy (nats)' : 'top probability',
    exits: byEntropy ? (score, t) => score <= t : (score, t) => score >= t,
    never: byEntropy ? -1 : 2,
    always: byEntropy ? Number.MAX_VALUE : -1,
    async build(layer, numClasses) {
      const head = await trainHead(layer, numClasses, seed)
      const table = centroidTable(layer)
      const { dim } = layer
      return {
        match(queries, count, withDistance) {
          const labels = new Int32Array(count)
          const scores = new Float32Array(count)
          const logits = new Float64Array(numClasses)
          for (let q = 0; q < count; q++) {
            logits.set(head.b)
            for (let j = 0; j < dim; j++) {
              const v = (queries[q * dim + j] - head.mean[j]) * head.scale[j]
              if (v === 0) continue
              for (let c = 0; c < numClasses; c++) logits[c] += v * head.w[j * numClasses + c]
            }
            let top = 0
            for (let c = 1; c < numClasses; c++) if (logits[c] > logits[top]) top = c
            let z = 0
            for (let c = 0; c < numClasses; c++) z += Math.exp(logits[c] - logits[top])
            labels[q] = top
            if (byEntropy) {
              let h = 0
              for (let c = 0; c < numClasses; c++) {
                const p = Math.exp(logits[c] - logits[top]) / z
                if (p > 0) h -= p * Math.log(p)
              }
              scores[q] = h
            } else scores[q] = 1 / z
          }
          const distances = withDistance ? nearestCentroids(table, layer.layer, queries, count, dim).distances : new Float32Array(count).fill(NaN)
          return { labels, scores, distances }
        },
        dispose: () => undefined
      }
    }
  }
}

export function strategyOf(name: StrategyName, options: StrategyOptions): Strategy {
  if (name === 'knn') {
    if (!Number.isInteger(options.k) || options.k < 1) throw new ApiError('invalid_request', `k must be a whole number ≥ 1, got ${options.k}`)
    return knnStrategy(options.k)
  }
  if (name === 'centroid') return centroidStrategy
  if (name === 'confidence') return confidenceStrategy(options.confidenceMeasure, options.seed)
  throw new ApiError('invalid_request', `strategy must be one of ${StrategyName.options.join(', ')}; got "${String(name)}"`)
}

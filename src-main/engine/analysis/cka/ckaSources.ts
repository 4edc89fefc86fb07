/**
 * CKA between the layers of networks evaluated on one set of examples, by either estimator:
 * exact (one centred Gram per layer over all examples) or minibatch (unbiased HSIC summed over
 * batches, Nguyen et al. 2021). Both the run-vs-run matrix and the across-epochs curves are
 * built from these two functions.
 */
import type * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../../src-shared/errors'
import type { LayerInfo } from '../../../../src-shared/compare'
import type { TaskProgressTracker } from '../../tasks/taskControl'
import { batchRanges, MinibatchCka, prepareGram, type CkaMatrix, type PreparedGram } from './cka'
import type { ExampleImages } from '../core/imageSample'
import { activationMatrices, featureCount, layerGroups } from '../core/layerRepresentations'

/** One network (a run at an epoch) with the layers to compare and its decoded examples. */
export interface CkaSource {
  label: string
  model: tf.LayersModel
  layers: LayerInfo[]
  images: ExampleImages
}

// Float32 activations held at once while Grams are computed (per group of layers).
const ACTIVATION_BUDGET = 512 * 1024 * 1024
// Float64 n×n Gram matrices held at once by the exact estimator.
const GRAM_BUDGET = 768 * 1024 * 1024
const MAX_FULL_EXAMPLES = 4096

export type Estimator = 'full' | 'minibatch'

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GB`
}

/**
 * The estimator to use: 'full' when `gramsHeld` n×n Grams fit the budget, else 'minibatch'.
 * An explicit 'full' that cannot fit is refused with the numbers, not attempted.
 */
export function chooseEstimator(requested: 'auto' | Estimator, n: number, gramsHeld: number): Estimator {
  const bytes = gramsHeld * n * n * 8
  const fits = n <= MAX_FULL_EXAMPLES && bytes <= GRAM_BUDGET
  if (requested === 'minibatch') return 'minibatch'
  if (requested === 'full' && !fits) {
    throw new ApiError(
      'invalid_request',
      `estimator: the exact CKA on ${n} examples needs ${gramsHeld} Gram matrices of ${n}×${n} (${gib(bytes)}; the limit is ${gib(GRAM_BUDGET)} and ${MAX_FULL_EXAMPLES} examples); use estimator "minibatch" or fewer examples`
    )
  }
  return requested === 'full' || fits ? 'full' : 'minibatch'
}

/** Work units of one pass over a source's layers: examples × features, what Gram cost scales with. */
export function sourceCost(source: CkaSource, n: number): number {
  return source.layers.reduce((s, l) => s + featureCount(l), 0) * n
}

/** Exact: one prepared (centred) Gram per layer of the source, over all n examples. */
export async function fullGrams(source: CkaSource, progress: TaskProgressTracker): Promise<PreparedGram[]> {
  const n = source.images.indices.length
  const grams: PreparedGram[] = []
  for (const group of layerGroups(source.layers, n, ACTIVATION_BUDGET)) {
    progress.stage(`activations of ${source.label}`)
    const matrices = await activationMatrices(source.model, source.images, group, [0, n], progress)
    progress.stage(`Gram matrices of ${source.label}`)
    for (let i = 0; i < group.length; i++) {
      grams.push(prepareGram(matrices[i]))
      // Drop each layer's activations as soon as its Gram exists.
      matrices[i] = { rows: 0, cols: 0, data: new Float32Array(0) }
      await progress.step(n * featureCount(group[i]))
    }
  }
  return grams
}

/**
 * Minibatch: every layer of every source against every other, accumulated batch by batch with
 * each Gram computed once per batch. Returns the symmetric (Σ layers)² matrix in source order.
 */
export async function minibatchCka(sources: CkaSource[], batchSize: number, progress: TaskProgressTracker): Promise<{ matrix: CkaMatrix; batches: number; batchSize: number; accumulator: MinibatchCka }> {
  const n = sources[0].images.indices.length
  const ranges = batchRanges(n, Math.min(batchSize, n))
  const rows = ranges[0][1] - ranges[0][0]
  for (const source of sources) {
    const bytes = 2 * rows * source.layers.reduce((s, l) => s + featureCount(l), 0) * 4
    if (bytes > ACTIVATION_BUDGET) {
      throw new ApiError('invalid_request', `batchSize: a batch of ${rows} examples of ${source.label} needs ${gib(bytes)} of activations; use a smaller batchSize or fewer layers`)
    }
  }
  const total = sources.reduce((s, src) => s + src.layers.length, 0)
  const acc = new MinibatchCka(total)
  for (const [b, [start, end]] of ranges.entries()) {
    const matrices = []
    for (const source of sources) {
      progress.stage(`batch ${b + 1} of ${ranges.length}: activations of ${source.label}`)
      matrices.push(...(await activationMatrices(source.model, source.images, source.layers, [start, end], progress)))
    }
    progress.stage(`batch ${b + 1} of ${ranges.length}: HSIC`)
    acc.add(matrices)
    await progress.step(sources.reduce((s, src) => s + sourceCost(src, end - start), 0))
  }
  return { matrix: acc.result(), batches: ranges.length, batchSize: rows, accumulator: acc }
}

/** Block (rows r0.., cols c0..) of a square row-major matrix, as float32 for the wire. */
export function block(values: Float64Array, size: number, r0: number, rows: number, c0: number, cols: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(rows * cols)
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = values[(r0 + i) * size + c0 + j]
  return out
}

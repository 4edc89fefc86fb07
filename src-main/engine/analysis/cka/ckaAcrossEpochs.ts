/**
 * Per-layer CKA across epochs (issue 7): each layer of each run against the same layer at the
 * last epoch, and A against B epoch by epoch. This shows which layers diverge between the two
 * runs, and when. Models are loaded one epoch at a time; the last epoch's stay loaded.
 */
import type * as tf from '@tensorflow/tfjs'
import type { LayerInfo } from '../../../../src-shared/compare'
import { TaskProgressTracker, type TaskControl } from '../../tasks/taskControl'
import { ckaFromGrams, type PreparedGram } from './cka'
import { chooseEstimator, fullGrams, minibatchCka, sourceCost, type CkaSource, type Estimator } from './ckaSources'
import type { CkaOptions } from './compareRuns'
import type { ExampleImages } from '../core/imageSample'

export interface EpochSide {
  label: string
  /** Same order and names on both sides; shapes may differ (e.g. other widths). */
  layers: LayerInfo[]
  images: ExampleImages
  /** Loads the run's model at an epoch; the caller here disposes it. */
  load(epoch: number): Promise<tf.LayersModel>
}

export interface CkaAcrossEpochs {
  /** layers × epochs, row-major. */
  vsFinalA: Float32Array<ArrayBuffer>
  vsFinalB: Float32Array<ArrayBuffer>
  aVsB: Float32Array<ArrayBuffer>
  estimator: Estimator
  batchSize: number
  batches: number
}

export async function ckaAcrossEpochs(a: EpochSide, b: EpochSide, epochs: number[], options: CkaOptions, control: TaskControl = {}): Promise<CkaAcrossEpochs> {
  const L = a.layers.length
  const E = epochs.length
  const last = epochs[E - 1]
  const n = a.images.indices.length
  // The last epoch's Grams and the current epoch's, of both runs.
  const estimator = chooseEstimator(options.estimator, n, 4 * L)
  const source = (side: EpochSide, model: tf.LayersModel, epoch: number): CkaSource => ({ label: `${side.label}, epoch ${epoch}`, model, layers: side.layers, images: side.images })
  const out = { vsFinalA: new Float32Array(L * E), vsFinalB: new Float32Array(L * E), aVsB: new Float32Array(L * E) }
  const put = (key: keyof typeof out, l: number, e: number, v: number) => (out[key][l * E + e] = v)

  const finalA = await a.load(last)
  let finalB: tf.LayersModel | null = null
  const opened: tf.LayersModel[] = [finalA]
  try {
    finalB = await b.load(last)
    opened.push(finalB)
    const costPerEpoch = sourceCost(source(a, finalA, last), n) + sourceCost(source(b, finalB, last), n)
    // Full: each epoch's Grams once. Minibatch: the last epoch is recomputed beside every other.
    const passes = estimator === 'full' ? E : 2 * E - 1
    const progress = new TaskProgressTracker(costPerEpoch * passes, control, 'the CKA across epochs')
    let batches = 1
    let batchSize = n

    if (estimator === 'full') {
      const gramsAF = await fullGrams(source(a, finalA, last), progress)
      const gramsBF = await fullGrams(source(b, finalB, last), progress)
      for (const [e, epoch] of epochs.entries()) {
        let gramsA: PreparedGram[] = gramsAF
        let gramsB: PreparedGram[] = gramsBF
        if (epoch !== last) {
          gramsA = await gramsAt(a, epoch, (m) => fullGrams(source(a, m, epoch), progress))
          gramsB = await gramsAt(b, epoch, (m) => fullGrams(source(b, m, epoch), progress))
        }
        for (let l = 0; l < L; l++) {
          put('vsFinalA', l, e, ckaFromGrams(gramsA[l], gramsAF[l]))
          put('vsFinalB', l, e, ckaFromGrams(gramsB[l], gramsBF[l]))
          put('aVsB', l, e, ckaFromGrams(gramsA[l], gramsB[l]))
        }
      }
    } else {
      for (const [e, epoch] of epochs.entries()) {
        const finals = [source(a, finalA, last), source(b, finalB, last)]
        if (epoch === last) {
          const { matrix, batches: k, batchSize: rows } = await minibatchCka(finals, options.batchSize, progress)
          ;[batches, batchSize] = [k, rows]
          for (let l = 0; l < L; l++) {
            put('vsFinalA', l, e, 1)
            put('vsFinalB', l, e, 1)
            put('aVsB', l, e, matrix.values[l * 2 * L + L + l])
          }
          continue
        }
        const modelA = await a.load(epoch)
        let modelB: tf.LayersModel | null = null
        try {
          modelB = await b.load(epoch)
          const sources = [source(a, modelA, epoch), source(b, modelB, epoch), ...finals]
          const { matrix } = await minibatchCka(sources, options.batchSize, progress)
          const size = 4 * L
          for (let l = 0; l < L; l++) {
            put('vsFinalA', l, e, matrix.values[l * size + 2 * L + l])
            put('vsFinalB', l, e, matrix.values[(L + l) * size + 3 * L + l])
            put('aVsB', l, e, matrix.values[l * size + L + l])
          }
        } finally {
          modelA.dispose()
          modelB?.dispose()
        }
      }
    }
    progress.finish()
    return { ...out, estimator, batchSize, batches }
  } finally {
    opened.forEach((m) => m.dispose())
  }
}

/** Loads a side's model at an epoch, computes with it and disposes it. */
async function gramsAt(side: EpochSide, epoch: number, compute: (model: tf.LayersModel) => Promise<PreparedGram[]>): Promise<PreparedGram[]> {
  const model = await side.load(epoch)
  try {
    return await compute(model)
  } finally {
    model.dispose()
  }
}

/**
 * Layer × layer linear CKA of two runs on the same examples (issue 7): A against B, and each
 * run against itself, from one set of Grams (or one minibatch accumulator) for all layers.
 */
import type { CkaIntervals, LayerCka } from '../../../../src-shared/compare'
import { TaskProgressTracker, type TaskControl } from '../../tasks/taskControl'
import { ckaFromGrams } from './cka'
import { affordableReplicates, CKA_LEVEL, CKA_REPLICATES, gramCkaIntervals } from './ckaIntervals'
import { block, chooseEstimator, fullGrams, minibatchCka, sourceCost, type CkaSource, type Estimator } from './ckaSources'

export interface RunPairCka {
  cross: Float32Array<ArrayBuffer>
  selfA: Float32Array<ArrayBuffer>
  selfB: Float32Array<ArrayBuffer>
  perLayer: LayerCka[]
  /** 95 % intervals of `cross`, or null with the reason in intervalNote. */
  crossInterval: CkaIntervals | null
  intervalNote: string | null
  estimator: Estimator
  batchSize: number
  batches: number
}

export interface CkaOptions {
  estimator: 'auto' | Estimator
  batchSize: number
}

/** CKA of each layer of A against B's layer of the same name, with its interval (null when B lacks it or it is undefined). */
export function sameNameCka(layersA: string[], layersB: string[], cross: Float32Array, interval: CkaIntervals | null = null): LayerCka[] {
  return layersA.map((layer, i) => {
    const j = layersB.indexOf(layer)
    const k = i * layersB.length + j
    const v = j < 0 ? NaN : cross[k]
    const defined = !Number.isNaN(v)
    const end = (values: Float32Array | undefined): number | null => (defined && values && !Number.isNaN(values[k]) ? values[k] : null)
    return { layer, cka: defined ? v : null, low: end(interval?.low), high: end(interval?.high) }
  })
}

export async function runPairCka(a: CkaSource, b: CkaSource, options: CkaOptions, control: TaskControl = {}): Promise<RunPairCka> {
  const n = a.images.indices.length
  const la = a.layers.length
  const lb = b.layers.length
  const size = la + lb
  const estimator = chooseEstimator(options.estimator, n, size)
  const progress = new TaskProgressTracker(sourceCost(a, n) + sourceCost(b, n), control, 'the CKA comparison')
  let values: Float64Array
  let batches = 1
  let batchSize = n
  let crossInterval: CkaIntervals | null = null
  let intervalNote: string | null = null
  const asInterval = (low: Float64Array, high: Float64Array, width: number, replicates: number, resampled: CkaIntervals['resampled']): CkaIntervals => ({
    low: block(low, width, 0, la, width - lb, lb),
    high: block(high, width, 0, la, width - lb, lb),
    level: CKA_LEVEL,
    replicates,
    resampled
  })
  if (estimator === 'full') {
    const grams = [...(await fullGrams(a, progress)), ...(await fullGrams(b, progress))]
    progress.stage('CKA of every pair of layers')
    values = new Float64Array(size * size)
    for (let i = 0; i < size; i++) {
      for (let j = i; j < size; j++) values[i * size + j] = values[j * size + i] = ckaFromGrams(grams[i], grams[j])
    }
    const replicates = affordableReplicates(n, la, lb)
    if (replicates > 0) {
      progress.stage(`95 % intervals: ${replicates} resamples of the ${n} examples`)
      const total = sourceCost(a, n) + sourceCost(b, n)
      progress.setTotal(total + replicates)
      const { low, high } = await gramCkaIntervals(grams.slice(0, la), grams.slice(la), { replicates, onReplicate: () => progress.step(1) })
      crossInterval = asInterval(low, high, lb, replicates, 'examples')
    } else {
      intervalNote = `No intervals: resampling ${n} examples of ${la} + ${lb} layers would take too long; use fewer examples or the minibatch estimator, whose intervals resample its batches.`
    }
  } else {
    const result = await minibatchCka([a, b], options.batchSize, progress)
    values = result.matrix.values
    batches = result.batches
    batchSize = result.batchSize
    const intervals = result.accumulator.intervals({ replicates: CKA_REPLICATES, seed: 0, level: CKA_LEVEL })
    if (intervals) crossInterval = asInterval(intervals.low, intervals.high, size, CKA_REPLICATES, 'batches')
    else intervalNote = `No intervals: the minibatch estimate has a single batch of ${batchSize} examples; use more examples or a smaller batch size.`
  }
  progress.finish()
  const cross = block(values, size, 0, la, la, lb)
  const names = (s: CkaSource) => s.layers.map((l) => l.name)
  return {
    cross,
    selfA: block(values, size, 0, la, 0, la),
    selfB: block(values, size, la, lb, la, lb),
    perLayer: sameNameCka(names(a), names(b), cross, crossInterval),
    crossInterval,
    intervalNote,
    estimator,
    batchSize,
    batches
  }
}

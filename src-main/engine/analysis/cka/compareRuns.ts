/**
 * Layer × layer linear CKA of two runs on the same examples (issue 7): A against B, and each
 * run against itself, from one set of Grams (or one minibatch accumulator) for all layers.
 */
import type { LayerCka } from '../../../../src-shared/compare'
import { TaskProgressTracker, type TaskControl } from '../../tasks/taskControl'
import { ckaFromGrams } from './cka'
import { block, chooseEstimator, fullGrams, minibatchCka, sourceCost, type CkaSource, type Estimator } from './ckaSources'

export interface RunPairCka {
  cross: Float32Array<ArrayBuffer>
  selfA: Float32Array<ArrayBuffer>
  selfB: Float32Array<ArrayBuffer>
  perLayer: LayerCka[]
  estimator: Estimator
  batchSize: number
  batches: number
}

export interface CkaOptions {
  estimator: 'auto' | Estimator
  batchSize: number
}

/** CKA of each layer of A against B's layer of the same name (null when B lacks it or it is undefined). */
export function sameNameCka(layersA: string[], layersB: string[], cross: Float32Array): LayerCka[] {
  return layersA.map((layer, i) => {
    const j = layersB.indexOf(layer)
    const v = j < 0 ? NaN : cross[i * layersB.length + j]
    return { layer, cka: Number.isNaN(v) ? null : v }
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
  if (estimator === 'full') {
    const grams = [...(await fullGrams(a, progress)), ...(await fullGrams(b, progress))]
    progress.stage('CKA of every pair of layers')
    values = new Float64Array(size * size)
    for (let i = 0; i < size; i++) {
      for (let j = i; j < size; j++) values[i * size + j] = values[j * size + i] = ckaFromGrams(grams[i], grams[j])
    }
  } else {
    const result = await minibatchCka([a, b], options.batchSize, progress)
    values = result.matrix.values
    batches = result.batches
    batchSize = result.batchSize
  }
  progress.finish()
  const cross = block(values, size, 0, la, la, lb)
  const names = (s: CkaSource) => s.layers.map((l) => l.name)
  return {
    cross,
    selfA: block(values, size, 0, la, 0, la),
    selfB: block(values, size, la, lb, la, lb),
    perLayer: sameNameCka(names(a), names(b), cross),
    estimator,
    batchSize,
    batches
  }
}

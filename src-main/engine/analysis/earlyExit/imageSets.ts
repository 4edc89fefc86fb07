/**
 * Which images early exit uses. The reference set is the training images the run was trained
 * on (after its per-class fraction, limit and validation hold-out). The query set is the rest
 * of the training split when the run used only part of it (seed 000: train on half of each
 * class, query with the other half), else the test split.
 */
import type { SplitName } from '../../../../src-shared/dataset'
import { ApiError } from '../../../../src-shared/errors'
import type { TrainConfig } from '../../../../src-shared/run'
import type { Dataset, DatasetSplit } from '../../data/dataset'
import { shuffledIndices } from '../../data/splits'
import { planSplits } from '../../data/runDataset'

export interface ImageSet {
  split: SplitName
  source: DatasetSplit
  /** Indices in the split, ascending for the reference set, seeded order for queries. */
  indices: Int32Array
  /** Where the set came from, in words. */
  description: string
}

function plansOf(dataset: Dataset, config: TrainConfig) {
  const plan = planSplits(dataset, config)
  const train = plan.train
  if (!train) throw new ApiError('bad_input', `${config.dataset}: the run has no training images`)
  return { ...plan, train }
}

export function referenceImages(dataset: Dataset, config: TrainConfig): ImageSet {
  const plan = plansOf(dataset, config)
  const split: SplitName = dataset.has('train') ? 'train' : 'all'
  return { split, source: plan.train.source, indices: Int32Array.from(plan.train.indices).sort(), description: `the ${plan.train.indices.length} images the run was trained on` }
}

export function queryImages(dataset: Dataset, config: TrainConfig, count: number, seed: number): ImageSet {
  const plan = plansOf(dataset, config)
  const used = new Set<number>(plan.train.indices)
  if (plan.val && plan.val.source === plan.train.source) for (const i of plan.val.indices) used.add(i)
  const split: SplitName = dataset.has('train') ? 'train' : 'all'
  const unused: number[] = []
  for (let i = 0; i < plan.train.source.count; i++) if (!used.has(i)) unused.push(i)
  const pick = (pool: ArrayLike<number>): Int32Array => {
    const order = shuffledIndices(pool.length, seed)
    return Int32Array.from(order.subarray(0, Math.min(count, pool.length)), (k) => pool[k])
  }
  if (unused.length > 0) {
    return { split, source: plan.train.source, indices: pick(unused), description: `${Math.min(count, unused.length)} of the ${unused.length} training-split images the run did not train on` }
  }
  if (plan.test) {
    return { split: 'test', source: plan.test.source, indices: pick(plan.test.indices), description: `${Math.min(count, plan.test.indices.length)} test images` }
  }
  throw new ApiError('bad_input', `${config.dataset}: the run trained on every image and the dataset has no test split, so no image is left to classify; train with a fraction below 1`)
}

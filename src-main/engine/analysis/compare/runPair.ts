/**
 * Two stored runs as a comparable pair: the epochs both have, the same images (one dataset),
 * their models for the length of a computation, and the examples both see.
 */
import { resolve } from 'node:path'
import type * as tf from '@tensorflow/tfjs'
import type { ExampleChoice, LayerInfo } from '../../../../src-shared/compare'
import { BUNDLED_MNIST, type SplitName } from '../../../../src-shared/dataset'
import { ApiError } from '../../../../src-shared/errors'
import type { ModelInputShape } from '../../../../src-shared/model'
import type { RunSummary } from '../../../../src-shared/run'
import type { Dataset } from '../../data/dataset'
import type { DatasetCache } from '../../data/datasetCache'
import { runLabel } from '../../data/runDataset'
import type { WorkspaceDb } from '../../store/database'
import { completeEpochNumbers } from '../../store/epochStamps'
import { getRun } from '../../store/runStore'
import { chooseExamples, ExampleSet } from '../core/imageSample'
import { modelImageShape } from '../core/imageInput'
import { modelLayers } from '../core/layerRepresentations'
import { type RunWorkspace } from '../core/runAccess'

export interface RunPair {
  a: RunSummary
  b: RunSummary
  epochsA: number[]
  epochsB: number[]
  /** Epochs complete in both runs, ascending. */
  common: number[]
}

export function resolvePair(db: WorkspaceDb, a: string, b: string): RunPair {
  if (a === b) throw new ApiError('invalid_request', `a and b are both run ${a}; choose two different runs`)
  const runA = getRun(db, a)
  const runB = getRun(db, b)
  const epochsA = completeEpochNumbers(db, a)
  const epochsB = completeEpochNumbers(db, b)
  const common = epochsA.filter((e) => epochsB.includes(e))
  return { a: runA, b: runB, epochsA, epochsB, common }
}

/** The requested epoch, or the last one both runs have. */
export function pairEpoch(pair: RunPair, requested: number | undefined): number {
  if (pair.common.length === 0) {
    const empty = pair.epochsA.length === 0 ? pair.a.id : pair.b.id
    throw new ApiError('not_found', `${empty} has no stored epoch yet; wait until its first epoch is saved`)
  }
  if (requested === undefined) return pair.common[pair.common.length - 1]
  if (!pair.common.includes(requested)) {
    throw new ApiError('not_found', `epoch: ${requested} is not stored for both runs; epochs both have are ${pair.common[0]} to ${pair.common[pair.common.length - 1]}`)
  }
  return requested
}

const datasetKey = (path: string): string => (path.trim().toLowerCase() === BUNDLED_MNIST ? BUNDLED_MNIST : resolve(path))

/** Why the two runs cannot be compared on the same images, or null. */
export function datasetMismatch(pair: RunPair): string | null {
  const [da, db] = [pair.a.config.dataset, pair.b.config.dataset]
  if (datasetKey(da) === datasetKey(db)) return null
  return `${pair.a.id} was trained on ${da} but ${pair.b.id} on ${db}; activations can only be compared on the same images, so choose two runs of one dataset`
}

/** The pair's dataset, opened (cached) under run A's label. */
export async function pairDataset(datasets: DatasetCache, pair: RunPair): Promise<Dataset> {
  const problem = datasetMismatch(pair)
  if (problem) throw new ApiError('invalid_request', problem)
  return datasets.open(pair.a.config.dataset, runLabel(pair.a.config))
}

/** Layer facts of a run at an epoch, from the shared model cache (no weights are kept here). */
export async function runLayers(sources: RunWorkspace, runId: string, epoch: number): Promise<{ layers: LayerInfo[]; input: ModelInputShape }> {
  const model = await sources.models.get(sources.db, runId, epoch)
  return { layers: modelLayers(model), input: modelImageShape(model) }
}

/** Both runs' models of their own at `epoch`, for the length of `use`; disposed afterwards, also when loading the second fails. */
export async function withPairModels<T>(sources: RunWorkspace, pair: RunPair, epoch: number, use: (a: tf.LayersModel, b: tf.LayersModel) => Promise<T>): Promise<T> {
  const modelA = await sources.models.own(sources.db, pair.a.id, epoch)
  try {
    const modelB = await sources.models.own(sources.db, pair.b.id, epoch)
    try {
      return await use(modelA, modelB)
    } finally {
      modelB.dispose()
    }
  } finally {
    modelA.dispose()
  }
}

export interface PairExamples {
  set: ExampleSet
  split: SplitName
  seed: number
}

export function pairExamples(dataset: Dataset, choice: ExampleChoice): PairExamples {
  const { split, indices } = chooseExamples(dataset, choice)
  return { set: new ExampleSet(dataset, split, indices), split, seed: choice.seed }
}

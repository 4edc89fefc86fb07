/**
 * What the compare handlers share: resolving two runs into a comparable pair (same images,
 * epochs both have), their models and examples, cache keys that change when an epoch is
 * re-trained.
 */
import { resolve } from 'node:path'
import type * as tf from '@tensorflow/tfjs'
import type { ExampleChoice } from '../../src-shared/compare'
import { BUNDLED_MNIST, type SplitName } from '../../src-shared/dataset'
import { ApiError } from '../../src-shared/errors'
import type { RunSummary } from '../../src-shared/run'
import { chooseExamples, ExampleSet } from '../engine/analysis/core/imageSample'
import { modelInputShape, modelLayers } from '../engine/analysis/core/layerRepresentations'
import { loadRunModel } from '../engine/models/storedModel'
import { initBackend } from '../engine/backend/select'
import type { Dataset } from '../engine/data/dataset'
import { completeEpochs } from '../engine/store/epochStore'
import { getRun } from '../engine/store/runStore'
import type { ApiContext } from './context'

export interface RunPair {
  a: RunSummary
  b: RunSummary
  epochsA: number[]
  epochsB: number[]
  /** Epochs complete in both runs, ascending. */
  common: number[]
}

export function resolvePair(context: ApiContext, a: string, b: string): RunPair {
  if (a === b) throw new ApiError('invalid_request', `a and b are both run ${a}; choose two different runs`)
  const runA = getRun(context.db, a)
  const runB = getRun(context.db, b)
  const epochsA = completeEpochs(context.db, a).map((m) => m.epoch)
  const epochsB = completeEpochs(context.db, b).map((m) => m.epoch)
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
export async function pairDataset(context: ApiContext, pair: RunPair): Promise<Dataset> {
  const problem = datasetMismatch(pair)
  if (problem) throw new ApiError('invalid_request', problem)
  const label = pair.a.config.label.kind === 'attribute' ? pair.a.config.label.attribute : undefined
  return context.datasets.open(pair.a.config.dataset, label)
}

/** Layer facts of a run at an epoch, from the shared model cache (no weights are kept here). */
export async function runLayers(context: ApiContext, runId: string, epoch: number) {
  await initBackend()
  const model = await context.models.get(context.db, runId, epoch)
  return { layers: modelLayers(model), input: modelInputShape(model) }
}

/**
 * Own model instances for a long computation, disposed by the caller: the shared cache may
 * evict (and dispose) a model while a comparison between batches is still using it.
 */
export async function ownModel(context: ApiContext, runId: string, epoch: number): Promise<tf.LayersModel> {
  await initBackend()
  return loadRunModel(context.db, runId, epoch)
}

/** Both runs' models at `epoch`, for the length of `use`; disposed afterwards, also when loading the second fails. */
export async function withPairModels<T>(context: ApiContext, pair: RunPair, epoch: number, use: (a: tf.LayersModel, b: tf.LayersModel) => Promise<T>): Promise<T> {
  const modelA = await ownModel(context, pair.a.id, epoch)
  try {
    const modelB = await ownModel(context, pair.b.id, epoch)
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

/** Identifies a stored epoch's contents: re-training an epoch after a resume changes it. */
export function epochStamp(context: ApiContext, runId: string, epoch: number): string {
  const row = context.db.prepare(`SELECT committed_at FROM epochs WHERE run_id = ? AND epoch = ? AND complete = 1`).get(runId, epoch) as { committed_at: string } | undefined
  return `${runId}@${epoch}:${row?.committed_at ?? 'none'}`
}

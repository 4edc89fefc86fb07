import { ApiError } from '../../../src-shared/errors'
import { createRandom, shuffleInPlace } from './random'

/**
 * Index helpers for training: which examples to use, in which order. They work on label
 * vectors (Int32Array from DatasetSplit.labels) and return sorted or seeded-shuffled Int32Arrays
 * of example indices, so the same seed always gives the same subset and order.
 */

/** 0..n-1 in a seeded random order. */
export function shuffledIndices(n: number, seed: number): Int32Array<ArrayBuffer> {
  const out = new Int32Array(n)
  for (let i = 0; i < n; i++) out[i] = i
  return shuffleInPlace(out, createRandom(seed, n))
}

/** The examples of each class, in index order. */
export function indicesByClass(labels: Int32Array, among?: ArrayLike<number>): Map<number, number[]> {
  const byClass = new Map<number, number[]>()
  const n = among ? among.length : labels.length
  for (let k = 0; k < n; k++) {
    const i = among ? among[k] : k
    const c = labels[i]
    let list = byClass.get(c)
    if (!list) byClass.set(c, (list = []))
    list.push(i)
  }
  return byClass
}

export interface PerClassOptions {
  /** Share of each class to select, 0..1 (0.5 = "half of each class"). */
  fraction?: number
  /** At most this many per class (applied after fraction). */
  limit?: number
  seed: number
  /** Restrict to these example indices (e.g. a previous selection). */
  among?: ArrayLike<number>
}

export interface Selection {
  /** Chosen examples, ascending. */
  selected: Int32Array<ArrayBuffer>
  /** The other examples considered, ascending. */
  rest: Int32Array<ArrayBuffer>
}

/**
 * Per class, picks floor(count × fraction) examples (capped at `limit`) at random for the seed.
 * Class by class, so rare classes keep their share; seed 000 trains on half of each class.
 */
export function selectPerClass(labels: Int32Array, options: PerClassOptions): Selection {
  const fraction = options.fraction ?? 1
  if (!(fraction >= 0 && fraction <= 1)) throw new ApiError('invalid_request', `fraction must be between 0 and 1, got ${fraction}`)
  if (options.limit !== undefined && !(options.limit >= 0)) throw new ApiError('invalid_request', `limit must be 0 or more, got ${options.limit}`)
  const selected: number[] = []
  const rest: number[] = []
  const byClass = indicesByClass(labels, options.among)
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = Int32Array.from(byClass.get(c) ?? [])
    shuffleInPlace(members, createRandom(options.seed, c, members.length))
    const take = Math.min(Math.floor(members.length * fraction), options.limit ?? Infinity)
    for (let k = 0; k < members.length; k++) (k < take ? selected : rest).push(members[k])
  }
  return { selected: Int32Array.from(selected).sort(), rest: Int32Array.from(rest).sort() }
}

/** Half of each class, as seed 000 (Park & Kim 2019) trains its MNIST CNN. */
export function halfOfEachClass(labels: Int32Array, seed: number): Selection {
  return selectPerClass(labels, { fraction: 0.5, seed })
}

/**
 * Holds out `fraction` of `indices` for validation, stratified by class so each class keeps
 * its share in both parts. For datasets that ship no validation split.
 */
export function validationSplit(labels: Int32Array, indices: ArrayLike<number>, fraction: number, seed: number): { train: Int32Array<ArrayBuffer>; val: Int32Array<ArrayBuffer> } {
  const { selected, rest } = selectPerClass(labels, { fraction, seed: seed ^ 0x5eed, among: indices })
  return { train: rest, val: selected }
}

/** The order to visit `indices` in epoch `epoch`: a fresh seeded shuffle per epoch. */
export function epochOrder(indices: ArrayLike<number>, seed: number, epoch: number): Int32Array<ArrayBuffer> {
  return shuffleInPlace(Int32Array.from(indices), createRandom(seed, epoch, indices.length))
}

/** Consecutive batches of `order` (views, not copies); the last may be shorter. */
export function batchesOf<B extends ArrayBufferLike>(order: Int32Array<B>, batchSize: number): Int32Array<B>[] {
  if (!(batchSize >= 1)) throw new ApiError('invalid_request', `batch size must be at least 1, got ${batchSize}`)
  const out: Int32Array<B>[] = []
  for (let i = 0; i < order.length; i += batchSize) out.push(order.subarray(i, i + batchSize))
  return out
}

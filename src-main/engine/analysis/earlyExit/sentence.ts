/**
 * The plain sentences that state an early-exit result. Each is built from the measured numbers
 * it shows, and says "slower" whenever early exit took longer than the full network.
 */
import type { StrategyResult } from '../../../../src-shared/earlyExit'

const NAMES: Record<StrategyResult['strategy'], string> = { knn: 'k nearest neighbours', centroid: 'centroids', confidence: 'softmax head' }
const THRESHOLD_WORD: Record<StrategyResult['strategy'], string> = { knn: 'distance', centroid: 'factor', confidence: 'threshold' }

type Full = { accuracy: number; batch1: { mean: number } }
type Partial = Omit<StrategyResult, 'sentence'>

function points(delta: number): string {
  const pt = delta * 100
  const text = Math.abs(pt) < 0.05 ? '0.0' : Math.abs(pt).toFixed(1)
  return `${pt <= -0.05 ? '−' : pt >= 0.05 ? '+' : '±'}${text} pt`
}

const ms = (v: number): string => (v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3))
const round = (v: number): string => Number(v.toPrecision(3)).toString()

export function strategySentence(r: Partial, full: Full): string {
  const how = `${NAMES[r.strategy]}, ${THRESHOLD_WORD[r.strategy]} ${round(r.threshold)}`
  const delta = points(r.accuracy - full.accuracy)
  if (r.batch1.mean < full.batch1.mean) {
    return `On this run early exit is ${r.speedup.toFixed(2)}× faster at ${delta} accuracy (${how}).`
  }
  const overhead = r.batch1.split.descriptor + r.batch1.split.search
  const saved = full.batch1.mean - r.batch1.split.stages
  const slower = `Early exit is slower here (${ms(r.batch1.mean)} ms against ${ms(full.batch1.mean)} ms per image, ${delta} accuracy; ${how})`
  if (saved <= 0) {
    return `${slower}: the network run in stages, up to each image's exit, already takes ${ms(r.batch1.split.stages)} ms, more than the whole network in one call, before any descriptor or search (${ms(overhead)} ms).`
  }
  if (overhead > saved) {
    return `${slower}: the descriptor and search (${ms(overhead)} ms) cost more than the ${ms(saved)} ms the skipped layers would take.`
  }
  return `${slower}.`
}

/** One sentence for the whole result: the fastest strategy within 1 pt of full accuracy, else the most accurate. */
export function resultSentence(results: StrategyResult[], full: Full): string {
  if (results.length === 0) return ''
  const within = results.filter((r) => r.accuracy >= full.accuracy - 0.01)
  const pick = within.length ? within.reduce((a, b) => (b.speedup > a.speedup ? b : a)) : results.reduce((a, b) => (b.accuracy > a.accuracy ? b : a))
  return pick.sentence
}

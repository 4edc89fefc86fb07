/** What Compare shows first about two runs: each side's epochs, layers and weights, what they share, and their dataset. */
import type { CompareOverview } from '../../../../src-shared/compare'
import type { RunSummary } from '../../../../src-shared/run'
import { completeEpochs, listTensors } from '../../store/epochStore'
import { defaultSplit } from '../core/imageSample'
import { evidenceAttributes } from '../explain/evidenceRegions'
import { datasetMismatch, pairDataset, resolvePair, runLayers } from './runPair'
import { type RunWorkspace } from '../core/runAccess'

async function overviewSide(sources: RunWorkspace, run: RunSummary, epochs: number[]): Promise<CompareOverview['a']> {
  const last = epochs.at(-1)
  if (last === undefined) return { run, epochs: [], layers: [], input: { height: 0, width: 0, channels: 0 }, weights: [] }
  const { layers, input } = await runLayers(sources, run.id, last)
  const weights = listTensors(sources.db, run.id, last, 'weight').map((t) => ({ name: t.name, shape: t.shape }))
  return { run, epochs: completeEpochs(sources.db, run.id), layers, input, weights }
}

export async function pairOverview(sources: RunWorkspace, a: string, b: string): Promise<CompareOverview> {
  const pair = resolvePair(sources.db, a, b)
  const [sideA, sideB] = [await overviewSide(sources, pair.a, pair.epochsA), await overviewSide(sources, pair.b, pair.epochsB)]
  const namesB = new Set(sideB.layers.map((l) => l.name))
  const shapeB = new Map(sideB.weights.map((w) => [w.name, w.shape.join('x')]))
  let problem = datasetMismatch(pair) ?? (pair.common.length === 0 ? 'the two runs have no stored epoch in common yet' : null)
  let dataset: CompareOverview['dataset'] = { path: pair.a.config.dataset, splits: [], defaultSplit: 'test', evidence: [] }
  if (!datasetMismatch(pair)) {
    try {
      const opened = await pairDataset(sources.datasets, pair)
      dataset = {
        path: opened.table.path,
        splits: opened.splitNames.map((name) => ({ name, count: opened.split(name).count })),
        defaultSplit: defaultSplit(opened),
        evidence: evidenceAttributes(opened)
      }
    } catch (err) {
      problem ??= err instanceof Error ? err.message : String(err)
    }
  }
  return {
    a: sideA,
    b: sideB,
    samePair: pair.a.pairId !== null && pair.a.pairId === pair.b.pairId,
    commonLayers: sideA.layers.filter((l) => namesB.has(l.name)).map((l) => l.name),
    commonWeights: sideA.weights.filter((w) => shapeB.get(w.name) === w.shape.join('x')).map((w) => w.name),
    commonEpochs: pair.common,
    dataset,
    problem
  }
}

/**
 * Compare's analyses of two runs on the same images: CKA layer × layer at an epoch, CKA of each
 * layer with itself across epochs, where each model looks, and overlaid weight histograms.
 * Results are kept in the analysis cache under keys that carry both runs' epoch stamps.
 */
import type { ParsedRequestOf } from '../../../../src-shared/contract'
import type { AttentionResult, CkaEpochsResult, CkaResult, LayerInfo, WeightHistogramsResult } from '../../../../src-shared/compare'
import { ApiError } from '../../../../src-shared/errors'
import { cachedAnalysis, storeAnalysis } from '../../store/analysisCache'
import { epochStamp } from '../../store/epochStamps'
import type { TaskControl } from '../../tasks/taskControl'
import { ckaAcrossEpochs } from '../cka/ckaAcrossEpochs'
import { runPairCka } from '../cka/compareRuns'
import { chooseLayers } from '../core/layerRepresentations'
import { evidenceMasks } from '../explain/evidenceRegions'
import { defaultEnergyLayer, spatialEnergy } from '../explain/spatialEnergy'
import { overlaidWeightHistograms } from '../weights/weightHistograms'
import { pairDataset, pairEpoch, pairExamples, resolvePair, runLayers, withPairModels, type RunPair } from './runPair'
import { type RunWorkspace } from '../core/runAccess'

const seconds = (started: number): number => Number(((performance.now() - started) / 1000).toFixed(3))

/** Returns the cached value marked as cached, or computes, stores and returns it. */
async function cached<T extends object>(sources: RunWorkspace, key: unknown[], pair: RunPair, mark: (value: T) => T, compute: () => Promise<T>): Promise<T> {
  const id = JSON.stringify(key)
  const hit = cachedAnalysis<T>(sources.db, id)
  if (hit) return mark(hit)
  const value = await compute()
  storeAnalysis(sources.db, id, String(key[0]), value, pair.a.id, pair.b.id)
  return value
}

/** The same named layers on both sides, in A's order: the requested ones or the representation layers both have. */
function commonLayers(layersA: LayerInfo[], layersB: LayerInfo[], requested: string[] | undefined): [LayerInfo[], LayerInfo[]] {
  const a = chooseLayers(layersA, requested, 'A')
  const b = chooseLayers(layersB, requested, 'B')
  const byName = new Map(b.map((l) => [l.name, l]))
  const shared = a.filter((l) => byName.has(l.name))
  if (shared.length === 0) throw new ApiError('invalid_request', 'layers: the two runs have no layer name in common; CKA across epochs compares a layer with the same layer of the other run')
  return [shared, shared.flatMap((l) => byName.get(l.name) ?? [])]
}

/** CKA of every chosen layer of A with every chosen layer of B at one epoch. */
export async function pairCka(sources: RunWorkspace, request: ParsedRequestOf<'compare.cka'>, control: TaskControl = {}): Promise<CkaResult> {
  const pair = resolvePair(sources.db, request.a, request.b)
  const epoch = pairEpoch(pair, request.epoch)
  const examples = pairExamples(await pairDataset(sources.datasets, pair), request.examples)
  const [infoA, infoB] = [await runLayers(sources, pair.a.id, epoch), await runLayers(sources, pair.b.id, epoch)]
  const layersA = chooseLayers(infoA.layers, request.layers, 'A')
  const layersB = chooseLayers(infoB.layers, request.layers, 'B')
  const stamps = [epochStamp(sources.db, pair.a.id, epoch), epochStamp(sources.db, pair.b.id, epoch)]
  const key = ['compare.cka', 3, pair.a.id, pair.b.id, ...stamps, examples.split, examples.set.indices.length, examples.seed, layersA.map((l) => l.name), layersB.map((l) => l.name), request.estimator, request.batchSize]
  const mark = (v: CkaResult): CkaResult => ({ ...v, method: { ...v.method, cached: true } })
  return cached(sources, key, pair, mark, async () => {
    const started = performance.now()
    const [imagesA, imagesB] = await examples.set.forShapes([infoA.input, infoB.input])
    return withPairModels(sources, pair, epoch, async (modelA, modelB) => {
      const result = await runPairCka(
        { label: `run A (${pair.a.name})`, model: modelA, layers: layersA, images: imagesA },
        { label: `run B (${pair.b.name})`, model: modelB, layers: layersB, images: imagesB },
        { estimator: request.estimator, batchSize: request.batchSize },
        control
      )
      const { estimator, batchSize, batches, ...values } = result
      return {
        a: pair.a.id,
        b: pair.b.id,
        epoch,
        layersA: layersA.map((l) => l.name),
        layersB: layersB.map((l) => l.name),
        ...values,
        method: { estimator, batchSize, batches, split: examples.split, examples: imagesA.indices.length, seed: examples.seed, seconds: seconds(started), cached: false }
      }
    })
  })
}

/** CKA of each layer of A with the same layer of B at every epoch both runs have. */
export async function pairCkaEpochs(sources: RunWorkspace, request: ParsedRequestOf<'compare.ckaEpochs'>, control: TaskControl = {}): Promise<CkaEpochsResult> {
  const pair = resolvePair(sources.db, request.a, request.b)
  const last = pairEpoch(pair, undefined)
  const examples = pairExamples(await pairDataset(sources.datasets, pair), request.examples)
  const [infoA, infoB] = [await runLayers(sources, pair.a.id, last), await runLayers(sources, pair.b.id, last)]
  const [layersA, layersB] = commonLayers(infoA.layers, infoB.layers, request.layers)
  const stamps = pair.common.flatMap((e) => [epochStamp(sources.db, pair.a.id, e), epochStamp(sources.db, pair.b.id, e)])
  const key = ['compare.ckaEpochs', 2, pair.a.id, pair.b.id, stamps, examples.split, examples.set.indices.length, examples.seed, layersA.map((l) => l.name), request.estimator, request.batchSize]
  const mark = (v: CkaEpochsResult): CkaEpochsResult => ({ ...v, method: { ...v.method, cached: true } })
  return cached(sources, key, pair, mark, async () => {
    const started = performance.now()
    const [imagesA, imagesB] = await examples.set.forShapes([infoA.input, infoB.input])
    const result = await ckaAcrossEpochs(
      { label: `run A (${pair.a.name})`, layers: layersA, images: imagesA, load: (e) => sources.models.own(sources.db, pair.a.id, e) },
      { label: `run B (${pair.b.name})`, layers: layersB, images: imagesB, load: (e) => sources.models.own(sources.db, pair.b.id, e) },
      pair.common,
      { estimator: request.estimator, batchSize: request.batchSize },
      control
    )
    const { estimator, batchSize, batches, ...values } = result
    return {
      a: pair.a.id,
      b: pair.b.id,
      layers: layersA.map((l) => l.name),
      epochs: pair.common,
      ...values,
      method: { estimator, batchSize, batches, split: examples.split, examples: imagesA.indices.length, seed: examples.seed, seconds: seconds(started), cached: false }
    }
  })
}

/** Where each model looks: the spatial energy of one layer on both sides, with its share in the evidence regions. */
export async function pairAttention(sources: RunWorkspace, request: ParsedRequestOf<'compare.attention'>, control: TaskControl = {}): Promise<AttentionResult> {
  const pair = resolvePair(sources.db, request.a, request.b)
  const epoch = pairEpoch(pair, request.epoch)
  const dataset = await pairDataset(sources.datasets, pair)
  const examples = pairExamples(dataset, request.examples)
  const [infoA, infoB] = [await runLayers(sources, pair.a.id, epoch), await runLayers(sources, pair.b.id, epoch)]
  const layerA = request.layer ? chooseLayers(infoA.layers, [request.layer], 'A')[0] : defaultEnergyLayer(infoA.layers)
  const layerB = chooseLayers(infoB.layers, [layerA.name], 'B')[0]
  const key = ['compare.attention', 2, pair.a.id, pair.b.id, epochStamp(sources.db, pair.a.id, epoch), epochStamp(sources.db, pair.b.id, epoch), examples.split, examples.set.indices.length, examples.seed, layerA.name]
  return cached(sources, key, pair, (v: AttentionResult) => ({ ...v, cached: true }), async () => {
    const [imagesA, imagesB] = await examples.set.forShapes([infoA.input, infoB.input])
    const { height, width } = imagesA.shape
    const masks = await evidenceMasks(dataset, examples.split, imagesA.indices, height, width)
    return withPairModels(sources, pair, epoch, async (modelA, modelB) => {
      const result = await spatialEnergy(
        [
          { model: modelA, layer: layerA, images: imagesA },
          { model: modelB, layer: layerB, images: imagesB }
        ],
        masks,
        control
      )
      return {
        layer: layerA.name,
        epoch,
        height,
        width,
        mapHeight: result.mapHeight,
        mapWidth: result.mapWidth,
        energyA: result.energy[0],
        energyB: result.energy[1],
        meanImage: result.meanImage,
        regions: result.regions.map((r) => ({ attribute: r.attribute, area: r.area, shareA: r.shares[0], shareB: r.shares[1] })),
        split: examples.split,
        examples: imagesA.indices.length,
        seed: examples.seed,
        cached: false
      }
    })
  })
}

/** One weight's histograms of both runs over the epochs both have, on shared bins. */
export function pairWeightHistograms(sources: Pick<RunWorkspace, 'db'>, request: ParsedRequestOf<'compare.weightHistograms'>): WeightHistogramsResult {
  const pair = resolvePair(sources.db, request.a, request.b)
  pairEpoch(pair, undefined)
  const result = overlaidWeightHistograms(sources.db, [pair.a.id, pair.b.id], request.weight, pair.common, request.bins)
  return { weight: request.weight, epochs: pair.common, ...result }
}

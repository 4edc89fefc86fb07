import type { AttentionResult, CkaEpochsResult, CkaResult, CompareOverview, LayerInfo } from '../../src-shared/compare'
import { ApiError } from '../../src-shared/errors'
import type { RunSummary } from '../../src-shared/run'
import { ckaAcrossEpochs } from '../engine/analysis/cka/ckaAcrossEpochs'
import { runPairCka } from '../engine/analysis/cka/compareRuns'
import { evidenceAttributes, evidenceMasks } from '../engine/analysis/explain/evidenceRegions'
import { defaultSplit } from '../engine/analysis/core/imageSample'
import { chooseLayers } from '../engine/analysis/core/layerRepresentations'
import { defaultEnergyLayer, spatialEnergy } from '../engine/analysis/explain/spatialEnergy'
import { overlaidWeightHistograms } from '../engine/analysis/weights/weightHistograms'
import { cachedAnalysis, storeAnalysis } from '../engine/store/analysisCache'
import { completeEpochs, listTensors } from '../engine/store/epochStore'
import { runTask } from './tasks'
import { datasetMismatch, epochStamp, ownModel, pairDataset, pairEpoch, pairExamples, resolvePair, runLayers, withPairModels, type RunPair } from './comparePair'
import type { ApiContext } from './context'
import type { Handler } from './router'

const seconds = (started: number): number => Number(((performance.now() - started) / 1000).toFixed(3))

/** Returns the cached value marked as cached, or computes, stores and returns it. */
async function cached<T extends object>(context: ApiContext, key: unknown[], pair: RunPair, mark: (value: T) => T, compute: () => Promise<T>): Promise<T> {
  const id = JSON.stringify(key)
  const hit = cachedAnalysis<T>(context.db, id)
  if (hit) return mark(hit)
  const value = await compute()
  storeAnalysis(context.db, id, String(key[0]), value, pair.a.id, pair.b.id)
  return value
}

async function overviewSide(context: ApiContext, run: RunSummary, epochs: number[]): Promise<CompareOverview['a']> {
  const last = epochs.at(-1)
  if (last === undefined) return { run, epochs: [], layers: [], input: { height: 0, width: 0, channels: 0 }, weights: [] }
  const { layers, input } = await runLayers(context, run.id, last)
  const weights = listTensors(context.db, run.id, last, 'weight').map((t) => ({ name: t.name, shape: t.shape }))
  return { run, epochs: completeEpochs(context.db, run.id), layers, input, weights }
}

async function overview(context: ApiContext, a: string, b: string): Promise<CompareOverview> {
  const pair = resolvePair(context, a, b)
  const [sideA, sideB] = [await overviewSide(context, pair.a, pair.epochsA), await overviewSide(context, pair.b, pair.epochsB)]
  const namesB = new Set(sideB.layers.map((l) => l.name))
  const shapeB = new Map(sideB.weights.map((w) => [w.name, w.shape.join('x')]))
  let problem = datasetMismatch(pair) ?? (pair.common.length === 0 ? 'the two runs have no stored epoch in common yet' : null)
  let dataset: CompareOverview['dataset'] = { path: pair.a.config.dataset, splits: [], defaultSplit: 'test', evidence: [] }
  if (!datasetMismatch(pair)) {
    try {
      const opened = await pairDataset(context, pair)
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

/** The same named layers on both sides, in A's order: the requested ones or the representation layers both have. */
function commonLayers(layersA: LayerInfo[], layersB: LayerInfo[], requested: string[] | undefined): [LayerInfo[], LayerInfo[]] {
  const a = chooseLayers(layersA, requested, 'A')
  const b = chooseLayers(layersB, requested, 'B')
  const names = new Set(b.map((l) => l.name))
  const shared = a.filter((l) => names.has(l.name))
  if (shared.length === 0) throw new ApiError('invalid_request', 'layers: the two runs have no layer name in common; CKA across epochs compares a layer with the same layer of the other run')
  return [shared, shared.map((l) => b.find((m) => m.name === l.name)!)]
}

export const compareHandlers: {
  'compare.overview': Handler<'compare.overview'>
  'compare.cka': Handler<'compare.cka'>
  'compare.ckaEpochs': Handler<'compare.ckaEpochs'>
  'compare.attention': Handler<'compare.attention'>
  'compare.weightHistograms': Handler<'compare.weightHistograms'>
} = {
  'compare.overview': ({ a, b }, context) => overview(context, a, b),

  'compare.cka': async (request, context) => {
    const pair = resolvePair(context, request.a, request.b)
    const epoch = pairEpoch(pair, request.epoch)
    const examples = pairExamples(await pairDataset(context, pair), request.examples)
    const [infoA, infoB] = [await runLayers(context, pair.a.id, epoch), await runLayers(context, pair.b.id, epoch)]
    const layersA = chooseLayers(infoA.layers, request.layers, 'A')
    const layersB = chooseLayers(infoB.layers, request.layers, 'B')
    const key = ['compare.cka', 2, epochStamp(context, pair.a.id, epoch), epochStamp(context, pair.b.id, epoch), examples.split, examples.set.indices.length, examples.seed, layersA.map((l) => l.name), layersB.map((l) => l.name), request.estimator, request.batchSize]
    const mark = (v: CkaResult): CkaResult => ({ ...v, method: { ...v.method, cached: true } })
    return cached(context, key, pair, mark, () =>
      runTask(context, request.taskId, { task: 'CKA layer × layer', runId: pair.a.id }, async (control) => {
        const started = performance.now()
        const [imagesA, imagesB] = await examples.set.forShapes([infoA.input, infoB.input])
        return withPairModels(context, pair, epoch, async (modelA, modelB) => {
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
    )
  },

  'compare.ckaEpochs': async (request, context) => {
    const pair = resolvePair(context, request.a, request.b)
    const last = pairEpoch(pair, undefined)
    const examples = pairExamples(await pairDataset(context, pair), request.examples)
    const [infoA, infoB] = [await runLayers(context, pair.a.id, last), await runLayers(context, pair.b.id, last)]
    const [layersA, layersB] = commonLayers(infoA.layers, infoB.layers, request.layers)
    const stamps = pair.common.flatMap((e) => [epochStamp(context, pair.a.id, e), epochStamp(context, pair.b.id, e)])
    const key = ['compare.ckaEpochs', 1, stamps, examples.split, examples.set.indices.length, examples.seed, layersA.map((l) => l.name), request.estimator, request.batchSize]
    const mark = (v: CkaEpochsResult): CkaEpochsResult => ({ ...v, method: { ...v.method, cached: true } })
    return cached(context, key, pair, mark, () =>
      runTask(context, request.taskId, { task: 'CKA across epochs', runId: pair.a.id }, async (control) => {
        const started = performance.now()
        const [imagesA, imagesB] = await examples.set.forShapes([infoA.input, infoB.input])
        const result = await ckaAcrossEpochs(
          { label: `run A (${pair.a.name})`, layers: layersA, images: imagesA, load: (e) => ownModel(context, pair.a.id, e) },
          { label: `run B (${pair.b.name})`, layers: layersB, images: imagesB, load: (e) => ownModel(context, pair.b.id, e) },
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
    )
  },

  'compare.attention': async (request, context) => {
    const pair = resolvePair(context, request.a, request.b)
    const epoch = pairEpoch(pair, request.epoch)
    const dataset = await pairDataset(context, pair)
    const examples = pairExamples(dataset, request.examples)
    const [infoA, infoB] = [await runLayers(context, pair.a.id, epoch), await runLayers(context, pair.b.id, epoch)]
    const layerA = request.layer ? chooseLayers(infoA.layers, [request.layer], 'A')[0] : defaultEnergyLayer(infoA.layers)
    const layerB = chooseLayers(infoB.layers, [layerA.name], 'B')[0]
    const key = ['compare.attention', 1, epochStamp(context, pair.a.id, epoch), epochStamp(context, pair.b.id, epoch), examples.split, examples.set.indices.length, examples.seed, layerA.name]
    return cached(context, key, pair, (v: AttentionResult) => ({ ...v, cached: true }), () =>
      runTask(context, request.taskId, { task: 'where each model looks', runId: pair.a.id }, async (control) => {
        const [imagesA, imagesB] = await examples.set.forShapes([infoA.input, infoB.input])
        const { height, width } = imagesA.shape
        const masks = await evidenceMasks(dataset, examples.split, imagesA.indices, height, width)
        return withPairModels(context, pair, epoch, async (modelA, modelB) => {
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
    )
  },

  'compare.weightHistograms': ({ a, b, weight, bins }, context) => {
    const pair = resolvePair(context, a, b)
    pairEpoch(pair, undefined)
    const result = overlaidWeightHistograms(context.db, [pair.a.id, pair.b.id], weight, pair.common, bins)
    return { weight, epochs: pair.common, ...result }
  },
}

/**
 * The run inspector (issue 6): a run's architecture, filters, feature maps of an image, dead
 * channels and feature evolution over a dataset sample. Weight handlers live in
 * inspectWeights.ts. Every handler works on the epochs stored in the workspace.
 */
import type * as tf from '@tensorflow/tfjs'
import type { EvolutionResponse, InspectLayer } from '../../src-shared/inspect'
import { channelActivityOfRun, layerActivationName, type RunChannelActivity } from '../engine/analysis/featureMaps/channelActivityOfRun'
import { strongestActivations, type LayerEvolution } from '../engine/analysis/featureMaps/evolution'
import { featureMaps } from '../engine/analysis/featureMaps/featureMaps'
import { convKernels, filterImages } from '../engine/analysis/featureMaps/filters'
import { modelImageShape, readInputImage } from '../engine/analysis/core/imageInput'
import { datasetSample } from '../engine/analysis/core/imageSample'
import { architectureTableFromModel } from '../engine/analysis/receptiveField/receptiveFieldOfModel'
import { weightMatrixLayout } from '../engine/analysis/weights/weightMatrix'
import { withAnalysisCache } from '../engine/store/analysisCache'
import { epochStamp } from '../engine/store/epochStamps'
import { listTensors } from '../engine/store/epochStore'
import { TaskProgressTracker } from '../engine/tasks/taskControl'
import type { ApiContext } from './context'
import { inspectWeightHandlers } from './inspectWeights'
import { openRunDatasetSafely, readyBackend, requireEpoch, requireRunDataset, runWithEpochs } from '../engine/analysis/core/runAccess'
import type { Handler } from './router'
import { runTask } from './tasks'

async function runModel(context: ApiContext, runId: string, epoch: number): Promise<tf.LayersModel> {
  await readyBackend()
  return context.models.get(context.db, runId, epoch)
}

function describeLayers(model: tf.LayersModel): InspectLayer[] {
  return model.layers.map((l) => {
    const shape = l.outputShape as (number | null)[]
    return {
      name: l.name,
      className: l.getClassName(),
      outputShape: shape.slice(1),
      spatial: l.getClassName() !== 'InputLayer' && shape.length === 4,
      hasFilters: ['Conv2D', 'DepthwiseConv2D'].includes(l.getClassName()),
      activation: layerActivationName(l)
    }
  })
}

function softmax(logits: Float32Array): Float32Array {
  const max = logits.reduce((m, v) => Math.max(m, v), -Infinity)
  const exp = logits.map((v) => Math.exp(v - max))
  const sum = exp.reduce((a, b) => a + b, 0)
  return exp.map((v) => v / sum)
}

export const inspectHandlers: {
  'inspect.overview': Handler<'inspect.overview'>
  'inspect.architecture': Handler<'inspect.architecture'>
  'inspect.filters': Handler<'inspect.filters'>
  'inspect.featureMaps': Handler<'inspect.featureMaps'>
  'inspect.weights': Handler<'inspect.weights'>
  'inspect.weightStats': Handler<'inspect.weightStats'>
  'inspect.weightValue': Handler<'inspect.weightValue'>
  'inspect.changeNorms': Handler<'inspect.changeNorms'>
  'inspect.channels': Handler<'inspect.channels'>
  'inspect.evolution': Handler<'inspect.evolution'>
} = {
  'inspect.overview': async ({ runId }, context) => {
    const { run, epochs } = runWithEpochs(context, runId)
    const last = epochs[epochs.length - 1]
    const model = await runModel(context, runId, last)
    const { dataset, error } = await openRunDatasetSafely(context, run)
    return {
      runId,
      name: run.name,
      status: run.status,
      model: run.config.model.name,
      input: model.inputs[0].shape.length === 4 ? modelImageShape(model) : null,
      epochs,
      layers: describeLayers(model),
      weights: listTensors(context.db, runId, last, 'weight').map((t) => ({
        position: t.position,
        name: t.name,
        layer: t.name.split('/')[0],
        shape: t.shape,
        layout: weightMatrixLayout(t.shape)
      })),
      dataset: {
        path: run.config.dataset,
        splits: dataset ? dataset.splitNames.map((name) => ({ name, count: dataset.split(name).count })) : [],
        classNames: dataset?.classNames ?? [],
        error
      },
      source: run.config.source ?? null
    }
  },

  'inspect.architecture': async ({ runId }, context) => {
    const { epochs } = runWithEpochs(context, runId)
    const model = await runModel(context, runId, epochs[epochs.length - 1])
    return architectureTableFromModel(model)
  },

  'inspect.filters': async (request, context) => {
    const { epochs } = runWithEpochs(context, request.runId)
    requireEpoch(epochs, request.epoch)
    const model = await runModel(context, request.runId, request.epoch)
    const layers = (await convKernels(model, request.layers)).map((kernel) => filterImages(kernel, request))
    return { runId: request.runId, epoch: request.epoch, normalise: request.normalise, layers }
  },

  'inspect.featureMaps': async (request, context) => {
    const { run, epochs } = runWithEpochs(context, request.runId)
    requireEpoch(epochs, request.epoch)
    const model = await runModel(context, request.runId, request.epoch)
    const shape = modelImageShape(model)
    const fromDataset = !('encoded' in request.image)
    const { dataset, error } = fromDataset ? await openRunDatasetSafely(context, run) : { dataset: null, error: null }
    const image = await readInputImage(request.image, shape, dataset, error)
    const maps = await runTask(context, request.taskId, { task: 'feature maps', runId: request.runId }, (control) => featureMaps(model, image.x, shape, request.layers, control))
    const datasetClasses = dataset?.classNames ?? (run.config.source ? [] : ((await openRunDatasetSafely(context, run)).dataset?.classNames ?? []))
    // The model's own classes name its outputs; the dataset's name the image's label.
    const classNames = run.config.source?.classNames ?? datasetClasses
    // An opened model may end in logits; the view shows probabilities.
    const output = run.config.source?.outputs === 'logits' && maps.output ? softmax(maps.output) : maps.output
    return {
      runId: request.runId,
      epoch: request.epoch,
      input: {
        ...shape,
        pixels: image.x,
        source: image.source,
        split: image.split,
        index: image.index,
        label: image.label,
        labelName: image.label === null ? null : (datasetClasses[image.label] ?? String(image.label))
      },
      layers: maps.layers,
      output,
      classNames
    }
  },

  ...inspectWeightHandlers,

  'inspect.channels': async (request, context) => {
    const { run, epochs } = runWithEpochs(context, request.runId)
    requireEpoch(epochs, request.epoch)
    const model = await runModel(context, request.runId, request.epoch)
    const dataset = await requireRunDataset(context, run)
    const sample = datasetSample(dataset, request.split, request.sample, request.seed, modelImageShape(model))
    const options = { relativeTolerance: request.relativeTolerance, flagFraction: request.flagFraction }
    const key = `inspect.channels:${request.runId}:${epochStamp(context.db, request.runId, request.epoch)}:${sample.split}:${request.sample}:${request.seed}:${options.relativeTolerance}:${options.flagFraction}`
    const result = await withAnalysisCache<RunChannelActivity>(context.db, key, 'inspect.channels', [request.runId, null], () =>
      runTask(context, request.taskId, { task: 'dead and always-on channels', runId: request.runId }, (control) => channelActivityOfRun(model, sample, options, control))
    )
    return {
      runId: request.runId,
      epoch: request.epoch,
      split: sample.split,
      images: result.images,
      relativeTolerance: options.relativeTolerance,
      flagFraction: options.flagFraction,
      layers: result.layers.map((l) => ({
        name: l.name,
        className: l.className,
        activation: l.activation,
        channels: l.report.channels.length,
        tolerance: l.report.tolerance,
        deadFraction: Float32Array.from(l.report.channels, (c) => c.deadFraction),
        alwaysOnFraction: Float32Array.from(l.report.channels, (c) => c.alwaysOnFraction),
        flagged: l.report.flagged.map((c) => ({ channel: c.channel, deadFraction: c.deadFraction, alwaysOnFraction: c.alwaysOnFraction, status: c.status as 'dead' | 'always_on', hint: c.hint ?? '' })),
        deadCount: l.report.deadCount,
        alwaysOnCount: l.report.alwaysOnCount
      }))
    }
  },

  'inspect.evolution': async (request, context) => {
    const { run, epochs } = runWithEpochs(context, request.runId)
    const chosen = [...new Set(request.epochs)].sort((a, b) => a - b)
    for (const e of chosen) requireEpoch(epochs, e, 'epochs')
    const dataset = await requireRunDataset(context, run)
    return runTask(context, request.taskId, { task: 'feature evolution', runId: request.runId }, async (control) => {
      const results: EvolutionResponse['epochs'] = []
      let last: LayerEvolution | null = null
      let split = request.split ?? null
      // Progress counts images over all chosen epochs; a cached epoch counts as done at once.
      const progress = new TaskProgressTracker(chosen.length * request.sample, control, 'the feature evolution')
      for (const [k, epoch] of chosen.entries()) {
        const model = await runModel(context, request.runId, epoch)
        const sample = datasetSample(dataset, request.split, request.sample, request.seed, modelImageShape(model))
        split = sample.split
        progress.setTotal(chosen.length * sample.indices.length)
        progress.stage(`epoch ${epoch}`)
        const key = `inspect.evolution:${request.runId}:${epochStamp(context.db, request.runId, epoch)}:${request.layer}:${sample.split}:${request.sample}:${request.seed}:${request.maxChannels}`
        last = await withAnalysisCache(context.db, key, 'inspect.evolution', [request.runId, null], () => strongestActivations(model, request.layer, sample, request.maxChannels, progress))
        progress.reach((k + 1) * sample.indices.length)
        results.push({ epoch, channels: last.channels })
      }
      progress.finish()
      return {
        runId: request.runId,
        layer: request.layer,
        split: split!,
        images: last!.images,
        mapShape: last!.mapShape,
        patchShape: last!.patchShape,
        epochs: results
      }
    })
  }
}

/**
 * The run inspector's views of a stored run at an epoch: its overview, architecture, filters,
 * feature maps of one image, dead and always-on channels, and feature evolution over epochs.
 * Each takes the parsed request and reads the run's model and dataset from the workspace.
 */
import type * as tf from '@tensorflow/tfjs'
import type { ArchitectureTable } from '../../../../src-shared/architecture'
import type { ParsedRequestOf } from '../../../../src-shared/contract'
import type { ChannelsResponse, EvolutionResponse, FeatureMapsResponse, FiltersResponse, InspectLayer, InspectOverview } from '../../../../src-shared/inspect'
import { withAnalysisCache } from '../../store/analysisCache'
import { epochStamp } from '../../store/epochStamps'
import { listTensors } from '../../store/epochStore'
import { TaskProgressTracker, type TaskControl } from '../../tasks/taskControl'
import { modelImageShape, readInputImage } from '../core/imageInput'
import { datasetSample } from '../core/imageSample'
import { architectureTableFromModel } from '../receptiveField/receptiveFieldOfModel'
import { weightMatrixLayout } from '../weights/weightMatrix'
import { channelActivityOfRun, layerActivationName, type RunChannelActivity } from './channelActivityOfRun'
import { strongestActivations, type LayerEvolution } from './evolution'
import { featureMaps } from './featureMaps'
import { convKernels, filterImages } from './filters'
import { openRunDatasetSafely, requireEpoch, requireRunDataset, runWithEpochs, type RunWorkspace } from '../core/runAccess'

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

/** The run at its last epoch: layers, weights, input, dataset splits (or why it cannot be read). */
export async function runOverview(sources: RunWorkspace, runId: string): Promise<InspectOverview> {
  const { run, epochs } = runWithEpochs(sources, runId)
  const last = epochs[epochs.length - 1]
  const model = await sources.models.get(sources.db, runId, last)
  const { dataset, error } = await openRunDatasetSafely(sources, run)
  return {
    runId,
    name: run.name,
    status: run.status,
    model: run.config.model.name,
    input: model.inputs[0].shape.length === 4 ? modelImageShape(model) : null,
    epochs,
    layers: describeLayers(model),
    weights: listTensors(sources.db, runId, last, 'weight').map((t) => ({
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
}

/** The architecture table of the run's model at its last epoch. */
export async function runArchitecture(sources: RunWorkspace, runId: string): Promise<ArchitectureTable> {
  const { epochs } = runWithEpochs(sources, runId)
  return architectureTableFromModel(await sources.models.get(sources.db, runId, epochs[epochs.length - 1]))
}

export async function runFilters(sources: RunWorkspace, request: ParsedRequestOf<'inspect.filters'>): Promise<FiltersResponse> {
  const { epochs } = runWithEpochs(sources, request.runId)
  requireEpoch(epochs, request.epoch)
  const model = await sources.models.get(sources.db, request.runId, request.epoch)
  const layers = (await convKernels(model, request.layers)).map((kernel) => filterImages(kernel, request))
  return { runId: request.runId, epoch: request.epoch, normalise: request.normalise, layers }
}

/** Every requested layer's maps for one image (uploaded or from the run's dataset), with the model's output. */
export async function runFeatureMaps(sources: RunWorkspace, request: ParsedRequestOf<'inspect.featureMaps'>, control: TaskControl = {}): Promise<FeatureMapsResponse> {
  const { run, epochs } = runWithEpochs(sources, request.runId)
  requireEpoch(epochs, request.epoch)
  const model = await sources.models.get(sources.db, request.runId, request.epoch)
  const shape = modelImageShape(model)
  const fromDataset = !('encoded' in request.image)
  const { dataset, error } = fromDataset ? await openRunDatasetSafely(sources, run) : { dataset: null, error: null }
  const image = await readInputImage(request.image, shape, dataset, error)
  const maps = await featureMaps(model, image.x, shape, request.layers, control)
  const datasetClasses = dataset?.classNames ?? (run.config.source ? [] : ((await openRunDatasetSafely(sources, run)).dataset?.classNames ?? []))
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
}

/** Dead and always-on channels of every spatial layer over a sample of the run's dataset (kept in the analysis cache). */
export async function runChannels(sources: RunWorkspace, request: ParsedRequestOf<'inspect.channels'>, control: TaskControl = {}): Promise<ChannelsResponse> {
  const { run, epochs } = runWithEpochs(sources, request.runId)
  requireEpoch(epochs, request.epoch)
  const model = await sources.models.get(sources.db, request.runId, request.epoch)
  const dataset = await requireRunDataset(sources, run)
  const sample = datasetSample(dataset, request.split, request.sample, request.seed, modelImageShape(model))
  const options = { relativeTolerance: request.relativeTolerance, flagFraction: request.flagFraction }
  const key = `inspect.channels:${request.runId}:${epochStamp(sources.db, request.runId, request.epoch)}:${sample.split}:${request.sample}:${request.seed}:${options.relativeTolerance}:${options.flagFraction}`
  const result = await withAnalysisCache<RunChannelActivity>(sources.db, key, 'inspect.channels', [request.runId, null], () => channelActivityOfRun(model, sample, options, control))
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
}

/** Each channel's strongest activations over a sample, at every chosen epoch (each epoch kept in the analysis cache). */
export async function runEvolution(sources: RunWorkspace, request: ParsedRequestOf<'inspect.evolution'>, control: TaskControl = {}): Promise<EvolutionResponse> {
  const { run, epochs } = runWithEpochs(sources, request.runId)
  const chosen = [...new Set(request.epochs)].sort((a, b) => a - b)
  for (const e of chosen) requireEpoch(epochs, e, 'epochs')
  const dataset = await requireRunDataset(sources, run)
  const results: EvolutionResponse['epochs'] = []
  let last: LayerEvolution | null = null
  let split = request.split ?? null
  // Progress counts images over all chosen epochs; a cached epoch counts as done at once.
  const progress = new TaskProgressTracker(chosen.length * request.sample, control, 'the feature evolution')
  for (const [k, epoch] of chosen.entries()) {
    const model = await sources.models.get(sources.db, request.runId, epoch)
    const sample = datasetSample(dataset, request.split, request.sample, request.seed, modelImageShape(model))
    split = sample.split
    progress.setTotal(chosen.length * sample.indices.length)
    progress.stage(`epoch ${epoch}`)
    const key = `inspect.evolution:${request.runId}:${epochStamp(sources.db, request.runId, epoch)}:${request.layer}:${sample.split}:${request.sample}:${request.seed}:${request.maxChannels}`
    last = await withAnalysisCache(sources.db, key, 'inspect.evolution', [request.runId, null], () => strongestActivations(model, request.layer, sample, request.maxChannels, progress))
    progress.reach((k + 1) * sample.indices.length)
    results.push({ epoch, channels: last.channels })
  }
  progress.finish()
  if (!last || !split) throw new Error('feature evolution: no epoch was chosen')
  return { runId: request.runId, layer: request.layer, split, images: last.images, mapShape: last.mapShape, patchShape: last.patchShape, epochs: results }
}

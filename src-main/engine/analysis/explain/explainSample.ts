/**
 * Explanations over many images of a run: the top activations of channels at one or more
 * epochs, invariance curves, and pointing figures against the synthetic faces' evidence regions
 * (cached in the workspace). Each takes a parsed request and the task's control.
 */
import { ApiError } from '../../../../src-shared/errors'
import type { InvarianceRequest, InvarianceResponse, PointingRequest, PointingResponse, Top9Request, Top9Response } from '../../../../src-shared/explain'
import { shuffledIndices } from '../../data/splits'
import { withAnalysisCache } from '../../store/analysisCache'
import { epochStamp } from '../../store/epochStamps'
import type { TaskControl, TaskUpdate } from '../../tasks/taskControl'
import { modelImageShape } from '../core/imageInput'
import { datasetSample, defaultSplit } from '../core/imageSample'
import { chosenEpoch, readyBackend, requireEpoch, runWithEpochs, withOwnRunModel, type RunWorkspace } from '../core/runAccess'
import { evidenceAttributes, evidenceMasks } from './evidenceRegions'
import { explainDefaults } from './explainDefaults'
import { explainedClass, explainedImage, imageProbabilities, runDataset } from './explainedImage'
import { amountsBetween, invariance, transformUnits } from './invariance'
import { pointingFigures } from './pointing'
import { topActivations } from './topActivations'

/** Progress of epoch k of n as a share of the whole: the work per epoch is the same. */
function acrossEpochs(u: TaskUpdate, k: number, n: number): TaskUpdate {
  const done = k * u.total + u.done
  const total = n * u.total
  return { ...u, done, total, stage: `epoch ${k + 1} of ${n}${u.stage ? `: ${u.stage}` : ''}`, etaSeconds: u.rate ? (total - done) / u.rate : null }
}

export async function explainTop9(ws: RunWorkspace, request: Top9Request, control: TaskControl = {}): Promise<Top9Response> {
  const { run, epochs } = runWithEpochs(ws, request.runId)
  const chosen = [...new Set(request.epochs)].sort((a, b) => a - b)
  for (const e of chosen) requireEpoch(epochs, e, 'epochs')
  const dataset = await runDataset(ws, run)
  const channels = [...new Set(request.channels)]
  const out: Top9Response['epochs'] = []
  let last: Awaited<ReturnType<typeof topActivations>> | null = null
  let split = request.split ?? defaultSplit(dataset)
  for (const [k, epoch] of chosen.entries()) {
    last = await withOwnRunModel(ws, request.runId, epoch, ({ model }) => {
      const sample = datasetSample(dataset, request.split, request.sample, request.seed, modelImageShape(model))
      split = sample.split
      const onProgress = control.onProgress
      return topActivations(model, request.layer, channels, sample, request.count, { signal: control.signal, onProgress: onProgress && ((u: TaskUpdate) => onProgress(acrossEpochs(u, k, chosen.length))) })
    })
    out.push({ epoch, channels: last.results })
  }
  if (!last) throw new ApiError('invalid_request', 'epochs: choose at least one epoch')
  return { runId: request.runId, layer: request.layer, channelCount: last.channels, split, images: last.images, patchShape: last.patchShape, field: last.field, classNames: dataset.classNames, epochs: out }
}

export function explainInvariance(ws: RunWorkspace, request: InvarianceRequest, control: TaskControl = {}): Promise<InvarianceResponse> {
  return withOwnRunModel(ws, request.runId, request.epoch, async ({ run, epoch, model }) => {
    const amounts = amountsBetween(request.transform, request.from, request.to, request.steps)
    const shape = modelImageShape(model)
    const size = shape.height * shape.width * shape.channels
    const x = new Float32Array(request.images.length * size)
    const images: InvarianceResponse['images'] = []
    for (const [i, choice] of request.images.entries()) {
      const { image, classNames, labelIsClass } = await explainedImage(ws, run, model, choice)
      const { cls, source } = explainedClass(await imageProbabilities(model, image.x), image, undefined, labelIsClass)
      x.set(image.x, i * size)
      images.push({ source: image.source, label: cls, labelName: classNames[cls] ?? String(cls), labelSource: source === 'label' ? 'label' : 'prediction' })
    }
    const layers = request.layers ?? explainDefaults(model).invarianceLayers
    const labels = images.map((im) => im.label)
    const curves = await invariance(model, x, labels, shape, request.transform, amounts, layers, control)
    return { runId: request.runId, epoch, unit: transformUnits[request.transform], images, ...curves }
  })
}

/** Pointing figures of every requested method over a sample of a synthetic-faces run's images; cached by epoch and settings. */
export async function explainPointing(ws: RunWorkspace, request: PointingRequest, control: TaskControl = {}): Promise<PointingResponse> {
  const { run, epochs } = runWithEpochs(ws, request.runId)
  const epoch = chosenEpoch(epochs, request.epoch)
  const dataset = await runDataset(ws, run)
  if (evidenceAttributes(dataset).length === 0) {
    throw new ApiError('bad_input', `${run.config.dataset} has no evidence regions; pointing figures need the synthetic faces (featurelens dataset synth-faces), whose generator records where each attribute is drawn`)
  }
  const split = request.split ?? defaultSplit(dataset)
  if (!dataset.has(split)) throw new ApiError('invalid_request', `split: the dataset has no "${split}" split; it has ${dataset.splitNames.join(', ')}`)
  await readyBackend()
  const defaults = explainDefaults(await ws.models.get(ws.db, request.runId, epoch))
  const patch = request.patch ?? defaults.occlusion.patch
  const stride = request.stride ?? defaults.occlusion.stride
  const layer = request.layer ?? defaults.gradcamLayer
  const key = `explain.pointing:2:${epochStamp(ws.db, request.runId, epoch)}:${split}:${request.count}:${request.seed}:${request.methods.join(',')}:${layer}:${patch}:${stride}`
  let fresh = false
  const result = await withAnalysisCache<PointingResponse>(ws.db, key, 'explain.pointing', [request.runId, null], () =>
    withOwnRunModel(ws, request.runId, epoch, async ({ model }) => {
      fresh = true
      const shape = modelImageShape(model)
      const view = dataset.split(split)
      const indices = shuffledIndices(view.count, request.seed).slice(0, Math.min(request.count, view.count))
      const batch = await view.readBatch(indices, shape)
      if (batch.indices.length === 0) throw new ApiError('bad_input', `none of the ${indices.length} chosen ${split} images could be decoded (first failure: ${batch.failed[0]?.file ?? '?'})`)
      const masks = await evidenceMasks(dataset, split, batch.indices, shape.height, shape.width)
      if (!masks) throw new ApiError('bad_input', `the evidence masks of ${run.config.dataset} cannot be read; regenerate the synthetic faces`)
      const options = { methods: request.methods, layers: { gradcam: layer, occlusion: defaults.occlusionLayer }, attribution: { patch, stride, fill: defaults.occlusion.fill } }
      const figures = await pointingFigures(model, { x: batch.x, labels: batch.labels, shape, masks }, options, control)
      const attribute = run.config.label.kind === 'attribute' ? run.config.label.attribute : null
      return { runId: request.runId, epoch, attribute, split, seed: request.seed, images: figures.images, layer, patch, stride, methods: figures.methods, cached: false }
    })
  )
  return fresh ? result : { ...result, cached: true }
}

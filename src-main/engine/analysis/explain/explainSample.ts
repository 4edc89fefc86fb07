/**
 * Explanations over many images of a run: the top activations of channels at one or more
 * epochs and invariance curves (pointing figures: pointingOfRun.ts). Each takes a parsed request and the task's control.
 */
import { ApiError } from '../../../../src-shared/errors'
import type { InvarianceRequest, InvarianceResponse, Top9Request, Top9Response } from '../../../../src-shared/explain'
import type { TaskControl, TaskUpdate } from '../../tasks/taskControl'
import { modelImageShape } from '../core/imageInput'
import { datasetSample, defaultSplit } from '../core/imageSample'
import { requireEpoch, runWithEpochs, withOwnRunModel, type RunWorkspace } from '../core/runAccess'
import { explainDefaults } from './explainDefaults'
import { explainedClass, explainedImage, imageProbabilities, runDataset } from './explainedImage'
import { amountsBetween, invariance, transformUnits } from './invariance'
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

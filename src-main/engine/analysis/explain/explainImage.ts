/**
 * Explanations of one image of a run (Zeiler & Fergus 2014): the run's overview for the Explain
 * page, occlusion sensitivity, Grad-CAM with saliency, and the strongest unit of a layer
 * projected to pixels. Each takes a parsed request and returns the response; the methods come
 * from the attribution registry.
 */
import type { ExplainOverview, GradientsRequest, GradientsResponse, OcclusionRequest, OcclusionResponse, ProjectRequest, ProjectResponse } from '../../../../src-shared/explain'
import type { TaskControl } from '../../tasks/taskControl'
import { modelImageShape } from '../core/imageInput'
import { openRunDatasetSafely, runWithEpochs, withOwnRunModel, type RunWorkspace } from '../core/runAccess'
import type { AttributionInputs, AttributionTarget } from './attribution'
import { attributions } from './attributions'
import { evidenceAttributes } from './evidenceRegions'
import { explainDefaults, layerList } from './explainDefaults'
import { explainedClass, explainedImage, imageProbabilities, modelClassNames } from './explainedImage'
import { strongestUnit } from './gradientMaps'
import { unoccludedPass } from './occlusion'

export async function explainOverview(ws: RunWorkspace, runId: string): Promise<ExplainOverview> {
  const { run, epochs } = runWithEpochs(ws, runId)
  // The shared copy: only its layers are read, before anything else is awaited.
  const model = await ws.models.get(ws.db, runId, epochs[epochs.length - 1])
  const input = modelImageShape(model)
  const layers = layerList(model)
  const defaults = explainDefaults(model)
  const { dataset, error } = await openRunDatasetSafely(ws, run)
  return {
    runId,
    name: run.name,
    epochs,
    input,
    layers,
    classNames: modelClassNames(run, dataset),
    attribute: run.config.label.kind === 'attribute' ? run.config.label.attribute : null,
    dataset: {
      path: run.config.dataset,
      splits: dataset ? dataset.splitNames.map((name) => ({ name, count: dataset.split(name).count })) : [],
      error,
      evidence: dataset ? evidenceAttributes(dataset) : []
    },
    defaults
  }
}

/**
 * Occlusion sensitivity of one image. The unoccluded image runs through the network once: its
 * probabilities choose the class, and the occlusion maps start from the same pass.
 */
export function explainOcclusion(ws: RunWorkspace, request: OcclusionRequest, control: TaskControl = {}): Promise<OcclusionResponse> {
  return withOwnRunModel(ws, request.runId, request.epoch, async ({ run, epoch, model }) => {
    const { image, input, classNames, labelIsClass } = await explainedImage(ws, run, model, request.image)
    const inputs: AttributionInputs = { model, image: image.x, shape: image.shape }
    const layer = request.layer ?? explainDefaults(model).occlusionLayer
    const unoccluded = await unoccludedPass(model, image.x, image.shape, layer)
    const { cls, source } = explainedClass(unoccluded.probabilities, image, request.class, labelIsClass)
    const map = await attributions.occlusion.attribute(inputs, { kind: 'class', class: cls }, layer, { patch: request.patch, stride: request.stride, fill: request.fill, unoccluded }, control)
    return { runId: request.runId, epoch, input, classNames, class: cls, classSource: source, ...map.detail }
  })
}

/** Grad-CAM at a conv layer (the model's default when none is given) and plain saliency, for one class. */
export function explainGradients(ws: RunWorkspace, request: GradientsRequest): Promise<GradientsResponse> {
  return withOwnRunModel(ws, request.runId, request.epoch, async ({ run, epoch, model }) => {
    const { image, input, classNames, labelIsClass } = await explainedImage(ws, run, model, request.image)
    const { cls, source } = explainedClass(await imageProbabilities(model, image.x), image, request.class, labelIsClass)
    const inputs: AttributionInputs = { model, image: image.x, shape: image.shape }
    const target: AttributionTarget = { kind: 'class', class: cls }
    const cam = await attributions.gradcam.attribute(inputs, target, request.layer)
    const sal = await attributions.saliency.attribute(inputs, target)
    const { layer, map, mapHeight, mapWidth } = cam.detail
    return { runId: request.runId, epoch, input, classNames, class: cls, classSource: source, gradcam: { layer, map, mapHeight, mapWidth, upsampled: cam.values }, saliency: sal.values }
  })
}

/** The strongest unit of the layer (or of one channel) projected to pixels by the deconvnet and by guided backpropagation. */
export function explainProjection(ws: RunWorkspace, request: ProjectRequest): Promise<ProjectResponse> {
  return withOwnRunModel(ws, request.runId, request.epoch, async ({ run, epoch, model }) => {
    const { image, input } = await explainedImage(ws, run, model, request.image)
    const inputs: AttributionInputs = { model, image: image.x, shape: image.shape }
    const unit = await strongestUnit(model, image.x, image.shape, request.layer, request.channel)
    const target: AttributionTarget = { kind: 'unit', unit }
    const deconvnet = await attributions.deconvnet.attribute(inputs, target, request.layer)
    const guided = await attributions.guided.attribute(inputs, target, request.layer)
    return { runId: request.runId, epoch, input, layer: request.layer, unit, deconvnet: deconvnet.values, guided: guided.values }
  })
}

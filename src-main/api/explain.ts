/**
 * The Explain page's handlers (Zeiler & Fergus 2014, seed 003): occlusion sensitivity, Grad-CAM
 * and saliency, units projected to pixels, top activations per channel over epochs, invariance
 * curves, and pointing figures against the synthetic faces' evidence regions. Long work runs
 * through the task service (task.progress, task.cancel).
 */
import { ApiError } from '../../src-shared/errors'
import type { PointingResponse, Top9Response } from '../../src-shared/explain'
import { modelImageShape } from '../engine/analysis/core/imageInput'
import { datasetSample, defaultSplit } from '../engine/analysis/core/imageSample'
import { evidenceAttributes, evidenceMasks } from '../engine/analysis/explain/evidenceRegions'
import { gradCam, projectUnits, saliency, strongestUnit } from '../engine/analysis/explain/gradientMaps'
import { amountsBetween, invariance, transformUnits } from '../engine/analysis/explain/invariance'
import { defaultOcclusion, occlusion } from '../engine/analysis/explain/occlusion'
import { pointingFigures } from '../engine/analysis/explain/pointing'
import { topActivations } from '../engine/analysis/explain/topActivations'
import { shuffledIndices } from '../engine/data/splits'
import { withAnalysisCache } from '../engine/store/analysisCache'
import { epochStamp } from '../engine/store/epochStamps'
import { explainDefaults, explainedClass, explainedImage, layerList, modelClassNames, ownRunModel, runDataset, withRunModel } from './explainSupport'
import { openRunDatasetSafely } from '../engine/data/runDataset'
import { requireEpoch, runWithEpochs } from '../engine/store/runEpochs'
import type { TaskUpdate } from '../engine/tasks/taskControl'
import type { Handler } from './router'
import { runTask } from './tasks'

/** Progress of epoch k of n as a share of the whole: the work per epoch is the same. */
function acrossEpochs(u: TaskUpdate, k: number, n: number): TaskUpdate {
  const done = k * u.total + u.done
  const total = n * u.total
  return { ...u, done, total, stage: `epoch ${k + 1} of ${n}${u.stage ? `: ${u.stage}` : ''}`, etaSeconds: u.rate ? (total - done) / u.rate : null }
}

export const explainHandlers: {
  'explain.overview': Handler<'explain.overview'>
  'explain.occlusion': Handler<'explain.occlusion'>
  'explain.gradients': Handler<'explain.gradients'>
  'explain.project': Handler<'explain.project'>
  'explain.top9': Handler<'explain.top9'>
  'explain.invariance': Handler<'explain.invariance'>
  'explain.pointing': Handler<'explain.pointing'>
} = {
  'explain.overview': ({ runId }, context) =>
    withRunModel(context, runId, undefined, async ({ run, model }) => {
      const { epochs } = runWithEpochs(context.db, runId)
      const { dataset, error } = await openRunDatasetSafely(context.datasets, run)
      return {
        runId,
        name: run.name,
        epochs,
        input: modelImageShape(model),
        layers: layerList(model),
        classNames: modelClassNames(run, dataset),
        attribute: run.config.label.kind === 'attribute' ? run.config.label.attribute : null,
        dataset: {
          path: run.config.dataset,
          splits: dataset ? dataset.splitNames.map((name) => ({ name, count: dataset.split(name).count })) : [],
          error,
          evidence: dataset ? evidenceAttributes(dataset) : []
        },
        defaults: explainDefaults(model)
      }
    }),

  'explain.occlusion': (request, context) =>
    withRunModel(context, request.runId, request.epoch, async ({ run, epoch, model }) => {
      const img = await explainedImage(context, run, model, request.image)
      const { cls, source } = await explainedClass(model, img.image, request.class, img.labelIsClass)
      const defaults = defaultOcclusion(img.image.shape)
      const options = {
        patch: request.patch ?? defaults.patch,
        stride: request.stride ?? defaults.stride,
        fill: request.fill ?? defaults.fill,
        layer: request.layer ?? explainDefaults(model).occlusionLayer,
        cls
      }
      const result = await runTask(context, request.taskId, { task: 'occlusion map', runId: request.runId }, (control) => occlusion(model, img.image.x, img.image.shape, options, control))
      return { runId: request.runId, epoch, input: img.input, classNames: img.classNames, class: cls, classSource: source, ...result }
    }),

  'explain.gradients': (request, context) =>
    withRunModel(context, request.runId, request.epoch, async ({ run, epoch, model }) => {
      const img = await explainedImage(context, run, model, request.image)
      const { cls, source } = await explainedClass(model, img.image, request.class, img.labelIsClass)
      const layer = request.layer ?? explainDefaults(model).gradcamLayer
      const cam = await gradCam(model, img.image.x, img.image.shape, cls, layer)
      const sal = await saliency(model, img.image.x, img.image.shape, cls)
      return {
        runId: request.runId,
        epoch,
        input: img.input,
        classNames: img.classNames,
        class: cls,
        classSource: source,
        gradcam: { layer, map: cam.map, mapHeight: cam.mapHeight, mapWidth: cam.mapWidth, upsampled: cam.upsampled },
        saliency: sal.map
      }
    }),

  'explain.project': (request, context) =>
    withRunModel(context, request.runId, request.epoch, async ({ run, epoch, model }) => {
      const img = await explainedImage(context, run, model, request.image)
      const unit = await strongestUnit(model, img.image.x, img.image.shape, request.layer, request.channel)
      const deconv = await projectUnits(model, img.image.x, 1, img.image.shape, request.layer, [unit], 'deconvnet')
      const guided = await projectUnits(model, img.image.x, 1, img.image.shape, request.layer, [unit], 'guided')
      return { runId: request.runId, epoch, input: img.input, layer: request.layer, unit, deconvnet: deconv.projections, guided: guided.projections }
    }),

  'explain.top9': async (request, context) => {
    const { run, epochs } = runWithEpochs(context.db, request.runId)
    const chosen = [...new Set(request.epochs)].sort((a, b) => a - b)
    for (const e of chosen) requireEpoch(epochs, e, 'epochs')
    const dataset = await runDataset(context, run)
    const channels = [...new Set(request.channels)]
    return runTask(context, request.taskId, { task: 'top activations', runId: request.runId }, async (control) => {
      const out: Top9Response['epochs'] = []
      let last: Awaited<ReturnType<typeof topActivations>> | null = null
      let split = request.split ?? defaultSplit(dataset)
      for (const [k, epoch] of chosen.entries()) {
        const { model } = await ownRunModel(context, request.runId, epoch)
        try {
          const sample = datasetSample(dataset, request.split, request.sample, request.seed, modelImageShape(model))
          split = sample.split
          const step = { signal: control.signal, onProgress: control.onProgress && ((u: TaskUpdate) => control.onProgress!(acrossEpochs(u, k, chosen.length))) }
          last = await topActivations(model, request.layer, channels, sample, request.count, step)
          out.push({ epoch, channels: last.results })
        } finally {
          model.dispose()
        }
      }
      return {
        runId: request.runId,
        layer: request.layer,
        channelCount: last!.channels,
        split,
        images: last!.images,
        patchShape: last!.patchShape,
        field: last!.field,
        classNames: dataset.classNames,
        epochs: out
      }
    })
  },

  'explain.invariance': (request, context) =>
    withRunModel(context, request.runId, request.epoch, async ({ run, epoch, model }) => {
      const amounts = amountsBetween(request.transform, request.from, request.to, request.steps)
      const shape = modelImageShape(model)
      const size = shape.height * shape.width * shape.channels
      const x = new Float32Array(request.images.length * size)
      const images: { source: string; label: number; labelName: string; labelSource: 'label' | 'prediction' }[] = []
      for (const [i, choice] of request.images.entries()) {
        const img = await explainedImage(context, run, model, choice)
        const { cls, source } = await explainedClass(model, img.image, undefined, img.labelIsClass)
        x.set(img.image.x, i * size)
        images.push({ source: img.image.source, label: cls, labelName: img.classNames[cls] ?? String(cls), labelSource: source === 'label' ? 'label' : 'prediction' })
      }
      const layers = request.layers ?? explainDefaults(model).invarianceLayers
      const curves = await runTask(context, request.taskId, { task: 'invariance curves', runId: request.runId }, (control) =>
        invariance(
          model,
          x,
          images.map((im) => im.label),
          shape,
          request.transform,
          amounts,
          layers,
          control
        )
      )
      return { runId: request.runId, epoch, unit: transformUnits[request.transform], images, ...curves }
    }),

  'explain.pointing': async (request, context) => {
    const { run, epochs } = runWithEpochs(context.db, request.runId)
    const epoch = request.epoch ?? epochs[epochs.length - 1]
    requireEpoch(epochs, epoch)
    const dataset = await runDataset(context, run)
    if (evidenceAttributes(dataset).length === 0) {
      throw new ApiError('bad_input', `${run.config.dataset} has no evidence regions; pointing figures need the synthetic faces (featurelens dataset synth-faces), whose generator records where each attribute is drawn`)
    }
    const split = request.split ?? defaultSplit(dataset)
    if (!dataset.has(split)) throw new ApiError('invalid_request', `split: the dataset has no "${split}" split; it has ${dataset.splitNames.join(', ')}`)
    const defaults = explainDefaults(await context.models.get(context.db, request.runId, epoch))
    const patch = request.patch ?? defaults.occlusion.patch
    const stride = request.stride ?? defaults.occlusion.stride
    const layer = request.layer ?? defaults.gradcamLayer
    const key = `explain.pointing:2:${epochStamp(context.db, request.runId, epoch)}:${split}:${request.count}:${request.seed}:${request.methods.join(',')}:${layer}:${patch}:${stride}`
    let fresh = false
    const result = await withAnalysisCache<PointingResponse>(context.db, key, 'explain.pointing', [request.runId, null], () =>
      withRunModel(context, request.runId, epoch, async ({ model }) => {
        fresh = true
        const shape = modelImageShape(model)
        const view = dataset.split(split)
        const indices = shuffledIndices(view.count, request.seed).slice(0, Math.min(request.count, view.count))
        const batch = await view.readBatch(indices, shape)
        if (batch.indices.length === 0) throw new ApiError('bad_input', `none of the ${indices.length} chosen ${split} images could be decoded (first failure: ${batch.failed[0]?.file ?? '?'})`)
        const masks = await evidenceMasks(dataset, split, batch.indices, shape.height, shape.width)
        if (!masks) throw new ApiError('bad_input', `the evidence masks of ${run.config.dataset} cannot be read; regenerate the synthetic faces`)
        const figures = await runTask(context, request.taskId, { task: 'pointing figures', runId: request.runId }, (control) =>
          pointingFigures(model, { x: batch.x, labels: batch.labels, shape, masks }, { methods: request.methods, gradcamLayer: layer, occlusionLayer: defaults.occlusionLayer, patch, stride, fill: defaults.occlusion.fill }, control)
        )
        return {
          runId: request.runId,
          epoch,
          attribute: run.config.label.kind === 'attribute' ? run.config.label.attribute : null,
          split,
          seed: request.seed,
          images: figures.images,
          layer,
          patch,
          stride,
          methods: figures.methods,
          cached: false
        }
      })
    )
    return fresh ? result : { ...result, cached: true }
  }
}

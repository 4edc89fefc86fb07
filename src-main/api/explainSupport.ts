/**
 * What the explain handlers share: the run's model at an epoch (an own copy for long work, so
 * the shared cache cannot dispose it meanwhile), its dataset or a plain message saying where it
 * was expected, the image to explain with its class, and the per-run defaults.
 */
import type * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../src-shared/errors'
import type { ExplainLayer, ExplainOverview } from '../../src-shared/explain'
import type { ImageChoice, InspectInputImage } from '../../src-shared/inspect'
import type { RunSummary } from '../../src-shared/run'
import { modelImageShape, readInputImage, type InputImage } from '../engine/analysis/core/imageInput'
import { classProbabilities, runGraph } from '../engine/analysis/explain/layerGraph'
import { defaultOcclusion, defaultOcclusionLayer } from '../engine/analysis/explain/occlusion'
import { defaultInvarianceLayers } from '../engine/analysis/explain/invariance'
import type { Dataset } from '../engine/data/dataset'
import type { ApiContext } from './context'
import { openRunDatasetSafely } from '../engine/data/runDataset'
import { requireEpoch, runWithEpochs } from '../engine/store/runEpochs'
import * as tfjs from '@tensorflow/tfjs'

/** The run's model at a stored epoch, loaded for this call only; the caller disposes it. */
export async function ownRunModel(context: ApiContext, runId: string, epoch: number | undefined): Promise<{ run: RunSummary; epoch: number; model: tf.LayersModel }> {
  const { run, epochs } = runWithEpochs(context.db, runId)
  const chosen = epoch ?? epochs[epochs.length - 1]
  requireEpoch(epochs, chosen)
  return { run, epoch: chosen, model: await context.models.own(context.db, runId, chosen) }
}

export async function withRunModel<T>(context: ApiContext, runId: string, epoch: number | undefined, use: (m: { run: RunSummary; epoch: number; model: tf.LayersModel }) => Promise<T>): Promise<T> {
  const loaded = await ownRunModel(context, runId, epoch)
  try {
    return await use(loaded)
  } finally {
    loaded.model.dispose()
  }
}

/** Where the dataset was expected and what still works, for a run whose dataset moved. */
export function movedDatasetMessage(run: RunSummary, error: string | null, needsDataset: boolean): string {
  const where = `the run's dataset is not readable at ${run.config.dataset}${error ? ` (${error})` : ''}`
  return needsDataset
    ? `${where}; move the folder back there to use its images`
    : `${where}; move the folder back there, or upload an image file instead: explanations of an uploaded image still work`
}

export async function runDataset(context: ApiContext, run: RunSummary): Promise<Dataset> {
  const { dataset, error } = await openRunDatasetSafely(context.datasets, run)
  if (!dataset) throw new ApiError('not_found', movedDatasetMessage(run, error, true))
  return dataset
}

export function layerList(model: tf.LayersModel): ExplainLayer[] {
  return model.layers
    .filter((l) => l.getClassName() !== 'InputLayer')
    .map((l) => {
      const shape = (l.outputShape as (number | null)[]).slice(1).map((d) => d ?? 0)
      return { name: l.name, className: l.getClassName(), shape, spatial: shape.length === 3 }
    })
}

/**
 * The default Grad-CAM layer: the deepest conv layer whose maps are at least 8 cells (or a
 * sixteenth of the input) across, fine enough to tell a mouth from a jaw; else the deepest conv layer.
 */
export function defaultGradcamLayer(model: tf.LayersModel): string {
  const { height, width } = modelImageShape(model)
  const least = Math.max(8, Math.round(Math.min(height, width) / 16))
  const fine = model.layers.filter((l) => {
    const s = l.outputShape as (number | null)[]
    return /Conv/.test(l.getClassName()) && s.length === 4 && Math.min(s[1] ?? 0, s[2] ?? 0) >= least
  })
  return fine.at(-1)?.name ?? defaultOcclusionLayer(model)
}

export function explainDefaults(model: tf.LayersModel): ExplainOverview['defaults'] {
  return {
    occlusion: defaultOcclusion(modelImageShape(model)),
    occlusionLayer: defaultOcclusionLayer(model),
    gradcamLayer: defaultGradcamLayer(model),
    invarianceLayers: defaultInvarianceLayers(model)
  }
}

export interface ExplainedImage {
  image: InputImage
  input: InspectInputImage
  /** The model's classes: an opened model's own, else the dataset's. */
  classNames: string[]
  dataset: Dataset | null
  /** Whether the image's label is one of the model's classes (not so for an opened model whose classes differ from the dataset's). */
  labelIsClass: boolean
}

/** The classes a run's model tells apart: an opened model's own names, else its dataset's. */
export function modelClassNames(run: RunSummary, dataset: Dataset | null): string[] {
  return run.config.source?.classNames ?? dataset?.classNames ?? []
}

/** Reads the image to explain: a dataset example, or an uploaded file (which works without the dataset). */
export async function explainedImage(context: ApiContext, run: RunSummary, model: tf.LayersModel, choice: ImageChoice): Promise<ExplainedImage> {
  const shape = modelImageShape(model)
  const { dataset, error } = await openRunDatasetSafely(context.datasets, run)
  if (!('encoded' in choice) && !dataset) throw new ApiError('not_found', movedDatasetMessage(run, error, false))
  const image = await readInputImage(choice as ImageChoice, shape, dataset, error)
  const labels = dataset?.classNames ?? []
  const classNames = modelClassNames(run, dataset)
  return {
    image,
    dataset,
    classNames,
    labelIsClass: !run.config.source || (labels.length === classNames.length && labels.every((n, i) => n === classNames[i])),
    input: {
      ...shape,
      pixels: image.x,
      source: image.source,
      split: image.split,
      index: image.index,
      label: image.label,
      labelName: image.label === null ? null : (labels[image.label] ?? String(image.label))
    }
  }
}

/** The network's class probabilities for one image (a sigmoid output as [1 − p, p]). */
export async function predict(model: tf.LayersModel, x: Float32Array): Promise<Float32Array> {
  const shape = modelImageShape(model)
  const t = tfjs.tensor4d(x, [1, shape.height, shape.width, shape.channels])
  const p = tfjs.tidy(() => {
    const run = runGraph(model, t, 'gradient')
    return classProbabilities(run.logits, run.outputActivation)
  })
  const data = (await p.data()) as Float32Array
  tfjs.dispose([t, p])
  return data
}

/** The class to explain: the one asked for, else the true label (when it is one of the model's classes), else the prediction. */
export async function explainedClass(model: tf.LayersModel, image: InputImage, requested: number | undefined, labelIsClass = true): Promise<{ cls: number; source: 'label' | 'prediction' | 'chosen' }> {
  const probs = await predict(model, image.x)
  if (requested !== undefined) {
    if (requested >= probs.length) throw new ApiError('invalid_request', `class: ${requested} is out of range; the model tells apart classes 0..${probs.length - 1}`)
    return { cls: requested, source: 'chosen' }
  }
  if (labelIsClass && image.label !== null && image.label >= 0 && image.label < probs.length) return { cls: image.label, source: 'label' }
  let best = 0
  for (let c = 1; c < probs.length; c++) if (probs[c] > probs[best]) best = c
  return { cls: best, source: 'prediction' }
}

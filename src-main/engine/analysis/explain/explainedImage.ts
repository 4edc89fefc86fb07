/**
 * The image an explanation is about, and the class it explains: a dataset example or an uploaded
 * file (which works without the dataset), the model's class names, and the class chosen from the
 * network's probabilities (the one asked for, else the true label, else the prediction).
 */
import * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../../src-shared/errors'
import type { ClassSource } from '../../../../src-shared/explain'
import type { ImageChoice, InspectInputImage } from '../../../../src-shared/inspect'
import type { RunSummary } from '../../../../src-shared/run'
import type { Dataset } from '../../data/dataset'
import { argmax } from '../core/argmax'
import { modelImageShape, readInputImage, type InputImage } from '../core/imageInput'
import { openRunDatasetSafely, type RunWorkspace } from '../core/runAccess'
import { classProbabilities, runGraph } from './layerGraph'

/** Where the dataset was expected and what still works, for a run whose dataset moved. */
export function movedDatasetMessage(run: RunSummary, error: string | null, needsDataset: boolean): string {
  const where = `the run's dataset is not readable at ${run.config.dataset}${error ? ` (${error})` : ''}`
  return needsDataset
    ? `${where}; move the folder back there to use its images`
    : `${where}; move the folder back there, or upload an image file instead: explanations of an uploaded image still work`
}

/** The run's dataset, or a message saying where it was expected. */
export async function runDataset(ws: Pick<RunWorkspace, 'datasets'>, run: RunSummary): Promise<Dataset> {
  const { dataset, error } = await openRunDatasetSafely(ws, run)
  if (!dataset) throw new ApiError('not_found', movedDatasetMessage(run, error, true))
  return dataset
}

/** The classes a run's model tells apart: an opened model's own names, else its dataset's. */
export function modelClassNames(run: RunSummary, dataset: Dataset | null): string[] {
  return run.config.source?.classNames ?? dataset?.classNames ?? []
}

export interface ExplainedImage {
  image: InputImage
  input: InspectInputImage
  /** The model's classes: an opened model's own, else the dataset's. */
  classNames: string[]
  /** Whether the image's label is one of the model's classes (not so for an opened model whose classes differ from the dataset's). */
  labelIsClass: boolean
}

/** Reads the image to explain: a dataset example, or an uploaded file (which works without the dataset). */
export async function explainedImage(ws: Pick<RunWorkspace, 'datasets'>, run: RunSummary, model: tf.LayersModel, choice: ImageChoice): Promise<ExplainedImage> {
  const shape = modelImageShape(model)
  const { dataset, error } = await openRunDatasetSafely(ws, run)
  if (!('encoded' in choice) && !dataset) throw new ApiError('not_found', movedDatasetMessage(run, error, false))
  const image = await readInputImage(choice, shape, dataset, error)
  const labels = dataset?.classNames ?? []
  const classNames = modelClassNames(run, dataset)
  return {
    image,
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
export async function imageProbabilities(model: tf.LayersModel, x: Float32Array): Promise<Float32Array> {
  const shape = modelImageShape(model)
  const t = tf.tensor4d(x, [1, shape.height, shape.width, shape.channels])
  const p = tf.tidy(() => {
    const run = runGraph(model, t, 'gradient')
    return classProbabilities(run.logits, run.outputActivation)
  })
  const data = (await p.data()) as Float32Array
  tf.dispose([t, p])
  return data
}

/** The class to explain, from the image's probabilities: the one asked for, else the true label (when it is one of the model's classes), else the prediction. */
export function explainedClass(probabilities: Float32Array, image: InputImage, requested: number | undefined, labelIsClass: boolean): { cls: number; source: ClassSource } {
  const classes = probabilities.length
  if (requested !== undefined) {
    if (requested >= classes) throw new ApiError('invalid_request', `class: ${requested} is out of range; the model tells apart classes 0..${classes - 1}`)
    return { cls: requested, source: 'chosen' }
  }
  if (labelIsClass && image.label !== null && image.label >= 0 && image.label < classes) return { cls: image.label, source: 'label' }
  return { cls: argmax(probabilities), source: 'prediction' }
}

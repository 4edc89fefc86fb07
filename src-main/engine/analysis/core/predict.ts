import * as tf from '@tensorflow/tfjs'
import { readdir, stat } from 'node:fs/promises'
import { extname, join, resolve } from 'node:path'
import type { ImagePrediction, PredictResult } from '../../../../src-shared/api/models'
import { ApiError } from '../../../../src-shared/errors'
import type { RunSummary } from '../../../../src-shared/run'
import { decodeImageBytes, modelImageShape } from './imageInput'
import { readModelFile } from '../../models/modelFiles'
import { openRunDatasetSafely, requireEpoch, runWithEpochs, type RunWorkspace } from './runAccess'

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.bmp', '.tif', '.tiff'])
const MAX_IMAGE_BYTES = 64 * 1024 * 1024
const MAX_IMAGES = 10_000
const BATCH = 16

/** The image files named: files as given, folders' images (not recursive) in name order. */
export async function expandImagePaths(paths: string[]): Promise<string[]> {
  const files: string[] = []
  for (const given of paths) {
    const path = resolve(given)
    const info = await stat(path).catch(() => null)
    if (!info) throw new ApiError('bad_input', `${path} does not exist; give image files or folders of images`)
    if (info.isDirectory()) {
      const names = (await readdir(path)).filter((n) => IMAGE_EXTENSIONS.has(extname(n).toLowerCase())).sort()
      if (names.length === 0) throw new ApiError('bad_input', `${path} holds no images (PNG, JPEG, WebP, GIF, BMP, TIFF)`)
      files.push(...names.map((n) => join(path, n)))
    } else files.push(path)
    if (files.length > MAX_IMAGES) throw new ApiError('bad_input', `more than ${MAX_IMAGES} images; predict a smaller folder at a time`)
  }
  return files
}

/** Per-class probabilities from a model's output: softmax of logits, a sigmoid unit as [1 − p, p]. */
function probabilities(output: tf.Tensor2D, outputs: 'logits' | 'probabilities'): tf.Tensor2D {
  if (output.shape[1] === 1) {
    const p = outputs === 'logits' ? tf.sigmoid(output) : output
    return tf.concat([tf.sub(1, p), p], 1) as tf.Tensor2D
  }
  return outputs === 'logits' ? tf.softmax(output) : output
}

/**
 * Each image's top classes with their probabilities. Images are decoded as the views decode
 * them (0..1, fitted to the model's input); the model's own first layers do the rest.
 */
export async function predictImages(model: tf.LayersModel, paths: string[], options: { top: number; classNames: string[]; outputs: 'logits' | 'probabilities' }): Promise<ImagePrediction[]> {
  const shape = modelImageShape(model)
  const files = await expandImagePaths(paths)
  const results: ImagePrediction[] = []
  for (let start = 0; start < files.length; start += BATCH) {
    const batch = files.slice(start, start + BATCH)
    const pixels = shape.height * shape.width * shape.channels
    const x = new Float32Array(batch.length * pixels)
    for (let i = 0; i < batch.length; i++) {
      const bytes = await readModelFile(batch[i], { what: 'image', maxBytes: MAX_IMAGE_BYTES })
      x.set(await decodeImageBytes(bytes, shape, batch[i]), i * pixels)
    }
    const probs = tf.tidy(() => probabilities(model.predict(tf.tensor4d(x, [batch.length, shape.height, shape.width, shape.channels])) as tf.Tensor2D, options.outputs))
    const values = (await probs.array()) as number[][]
    probs.dispose()
    values.forEach((row, i) => {
      if (options.classNames.length && row.length !== options.classNames.length) {
        throw new ApiError('bad_input', `the model has ${row.length} outputs but ${options.classNames.length} class names`)
      }
      const order = row.map((p, index) => ({ index, p })).sort((a, b) => b.p - a.p).slice(0, options.top)
      results.push({ image: batch[i], top: order.map(({ index, p }) => ({ index, name: options.classNames[index] ?? `class ${index}`, probability: p })) })
    })
  }
  return results
}

/** Class names for a run's outputs: an opened model's own, else its dataset's. */
async function runClassNames(ws: Pick<RunWorkspace, 'datasets'>, run: RunSummary): Promise<{ names: string[]; from: string }> {
  if (run.config.source) return { names: run.config.source.classNames, from: run.config.source.classNamesFrom }
  const label = run.config.label
  if (label.kind === 'attribute') return { names: [`not ${label.attribute}`, label.attribute], from: 'the label' }
  const { dataset } = await openRunDatasetSafely(ws, run)
  return dataset ? { names: dataset.classNames, from: 'the dataset' } : { names: [], from: 'numbered (the dataset cannot be read)' }
}

/** A stored run's top classes for each image, at `epoch` or its last one. */
export async function predictWithRun(sources: RunWorkspace, runId: string, request: { epoch?: number; images: string[]; top: number }): Promise<PredictResult> {
  const { run, epochs } = runWithEpochs(sources, runId)
  const epoch = request.epoch ?? epochs[epochs.length - 1]
  requireEpoch(epochs, epoch)
  const classes = await runClassNames(sources, run)
  const model = await sources.models.get(sources.db, runId, epoch)
  const predictions = await predictImages(model, request.images, { top: request.top, classNames: classes.names, outputs: run.config.source?.outputs ?? 'probabilities' })
  return { runId: run.id, epoch, classNamesFrom: classes.from, predictions }
}

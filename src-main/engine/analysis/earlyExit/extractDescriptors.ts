/**
 * Descriptor extraction: the reference images in batches through the network up to the
 * deepest candidate layer, each batch's descriptors of every layer written in one transaction.
 * Images already stored for every layer are skipped, so a cancelled extraction resumes where
 * it stopped.
 */
import * as tf from '@tensorflow/tfjs'
import type { WorkspaceDb } from '../../store/database'
import { TaskProgressTracker, type TaskControl } from '../../tasks/taskControl'
import { modelImageShape } from '../core/imageInput'
import { batchDescriptors } from '../core/descriptors'
import { imagesDone, saveDescriptors, type DescriptorRow } from '../../store/descriptorStore'
import type { ImageSet } from './imageSets'

export interface ExtractionResult {
  images: number
  /** Images extracted now (the rest were already stored). */
  extracted: number
  layers: string[]
}

export async function extractDescriptors(
  db: WorkspaceDb,
  target: { runId: string; epoch: number; model: tf.LayersModel; layers: string[]; label?: string },
  images: ImageSet,
  control: TaskControl = {},
  batchSize = 64
): Promise<ExtractionResult> {
  const { runId, epoch, model, layers } = target
  const done = imagesDone(db, runId, epoch, layers)
  const todo = Int32Array.from([...images.indices].filter((i) => !done.has(i)))
  const tracker = new TaskProgressTracker(images.indices.length, control, 'descriptor extraction')
  tracker.advance(images.indices.length - todo.length)
  tracker.stage(todo.length < images.indices.length ? `resuming: ${images.indices.length - todo.length} images were already stored` : 'extracting descriptors')
  const probe = tf.model({ inputs: model.inputs, outputs: layers.map((name) => model.getLayer(name).output as tf.SymbolicTensor) })
  const shape = modelImageShape(model)
  for (let start = 0; start < todo.length; start += batchSize) {
    const batch = await images.source.readBatch(todo.subarray(start, start + batchSize), shape, { label: target.label })
    tracker.throwIfCancelled()
    const rows: DescriptorRow[] = []
    if (batch.indices.length > 0) {
      const outputs = tf.tidy(() => {
        const out = probe.predict(tf.tensor4d(batch.x, [batch.indices.length, shape.height, shape.width, shape.channels])) as tf.Tensor | tf.Tensor[]
        return Array.isArray(out) ? out : [out]
      })
      layers.forEach((layer, k) => {
        const t = outputs[k]
        const described = batchDescriptors(t.dataSync() as Float32Array, t.shape)
        const dim = described.length / batch.indices.length
        batch.indices.forEach((image, i) => rows.push({ layer, image, label: batch.labels[i], vector: described.slice(i * dim, (i + 1) * dim) }))
      })
      tf.dispose(outputs)
    }
    // Cancelled while computing: the batch in flight is not written.
    tracker.throwIfCancelled()
    saveDescriptors(db, runId, epoch, rows)
    await tracker.step(Math.min(batchSize, todo.length - start))
  }
  tracker.finish()
  return { images: images.indices.length, extracted: todo.length, layers }
}

import * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../../src-shared/errors'

/**
 * Every named layer's output for a batch, in one forward pass. Returns tensors the caller
 * must dispose. Input layers are skipped (their output is the image itself).
 */
export function layerActivations(model: tf.LayersModel, x: tf.Tensor, layerNames?: string[]): Map<string, tf.Tensor> {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer' && (!layerNames || layerNames.includes(l.name)))
  if (layerNames) {
    const missing = layerNames.filter((n) => !layers.some((l) => l.name === n))
    if (missing.length) throw new ApiError('not_found', `the model has no layer ${missing.map((m) => `"${m}"`).join(', ')}; its layers are ${model.layers.map((l) => l.name).join(', ')}`)
  }
  const probe = tf.model({ inputs: model.inputs, outputs: layers.map((l) => l.output as tf.SymbolicTensor) })
  const outputs = probe.predict(x) as tf.Tensor | tf.Tensor[]
  const list = Array.isArray(outputs) ? outputs : [outputs]
  return new Map(layers.map((l, i) => [l.name, list[i]]))
}

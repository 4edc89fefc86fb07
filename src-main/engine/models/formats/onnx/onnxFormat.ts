import type * as tf from '@tensorflow/tfjs'
import type { Preprocess } from '../../../../../src-shared/model'
import { basename } from 'node:path'
import { MAX_WEIGHT_BYTES, readModelFile } from '../../modelFiles'
import { modelFromTopology, namedTensors } from '../../modelFromTopology'
import { decodeOnnx } from './onnxProto'
import { onnxToLayers, type OnnxTranslation } from './translate'

export interface OpenedOnnx {
  model: tf.LayersModel
  translation: OnnxTranslation
  /** The exporter's metadata_props (class names may be among them). */
  metadata: Map<string, string>
  producer: string
  opset: number
}

/**
 * Opens an .onnx file (a PyTorch export) as a tfjs layers model with its own weights: the file
 * is checked and read without blocking, the graph translated completely before any tensor is
 * made, and the weights moved from NCHW to NHWC.
 */
export async function loadOnnxModel(path: string, options: { inputSize?: number; preprocess?: Preprocess | ((channels: number) => Preprocess) } = {}): Promise<OpenedOnnx> {
  const bytes = await readModelFile(path, { what: 'ONNX file', maxBytes: MAX_WEIGHT_BYTES })
  const onnx = decodeOnnx(bytes, path)
  const translation = onnxToLayers(onnx, path, { inputSize: options.inputSize, name: basename(path).replace(/\.onnx$/i, ''), preprocess: options.preprocess })
  const model = await modelFromTopology(translation.topology, () => ({ byName: namedTensors(translation.weights) }), { where: path, what: 'translated ONNX graph' })
  return { model, translation, metadata: onnx.metadata, producer: onnx.producer, opset: onnx.opset }
}

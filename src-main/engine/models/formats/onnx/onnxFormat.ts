import type * as tf from '@tensorflow/tfjs'
import type { Preprocess } from '../../../../../src-shared/model'
import { basename } from 'node:path'
import { classNamesFromJson, type ClassNames } from '../../classNames'
import { MAX_WEIGHT_BYTES, readModelFile } from '../../modelFiles'
import { modelFromTopology, namedTensors } from '../../modelFromTopology'
import type { ModelFileFormat } from '../format'
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

/** Class names an exporter put in the file's metadata_props: a JSON list or map, else a comma or line separated list. */
function metadataClassNames(metadata: Map<string, string>): ClassNames | null {
  for (const key of ['classes', 'labels', 'class_names']) {
    const text = metadata.get(key)
    if (!text) continue
    let names: string[] | null = null
    try {
      names = classNamesFromJson(JSON.parse(text))
    } catch {
      names = text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean)
    }
    return names ? { names, from: `the ONNX file's "${key}" metadata` } : null
  }
  return null
}

/** torchvision models take ImageNet-normalised RGB; other channel counts 0..1. */
const byChannels = (c: number): Preprocess => (c === 3 ? { scale: 'torch', channelOrder: 'rgb' } : { scale: 'unit', channelOrder: 'rgb' })

/** .onnx files: the graph translated to layers, with the preprocessing layer built in front. */
export const onnxFormat: ModelFileFormat = {
  format: 'onnx',
  label: 'ONNX',
  detect: (probe) => !probe.isDirectory && probe.extension === '.onnx',
  async open(path, options) {
    const opened = await loadOnnxModel(path, { inputSize: options.inputSize, preprocess: options.preprocess ?? byChannels })
    return {
      model: opened.model,
      preprocessed: true,
      defaultPreprocess: opened.translation.preprocess ?? { scale: 'unit', channelOrder: 'rgb' },
      classNames: metadataClassNames(opened.metadata),
      producer: opened.producer || undefined
    }
  }
}

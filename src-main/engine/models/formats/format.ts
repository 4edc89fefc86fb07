import type * as tf from '@tensorflow/tfjs'
import type { OpenedModelFormat, Preprocess } from '../../../../src-shared/model'
import type { ClassNames } from '../classNames'

/** What a format's `detect` looks at: the path, whether it is a folder, its extension and first bytes. */
export interface FileProbe {
  path: string
  isDirectory: boolean
  /** Lower case, with the dot: ".onnx"; empty for none. */
  extension: string
  /** The file's first bytes (at most 8); empty for a folder. */
  head: Uint8Array
}

export interface FormatOpenOptions {
  /** The side to use where the model leaves its input size open. */
  inputSize?: number
  /** Given by the person opening the model; otherwise the format's usual one. */
  preprocess?: Preprocess
}

/** A model as a format reads it, before the checks every opened model passes (openModel.ts). */
export interface ReadModel {
  model: tf.LayersModel
  /** Whether the preprocessing layer is already built in (ONNX builds it with the graph). */
  preprocessed: boolean
  /** The preprocessing the format's models usually take, when none is given. */
  defaultPreprocess: Preprocess
  /** Class names the model's files carry (metadata.json, the ONNX file's metadata). */
  classNames: ClassNames | null
  /** Who made the file, when it says. */
  producer?: string
}

/** One model file format: how to recognise its files and how to open one as a tfjs model with its weights. */
export interface ModelFileFormat {
  /** What the run records as its source format. */
  format: OpenedModelFormat
  /** For people: "ONNX", "Keras 3 (.keras)". */
  label: string
  detect(probe: FileProbe): boolean
  open(path: string, options: FormatOpenOptions): Promise<ReadModel>
}

/** Whether a file begins as a zip archive does ("PK"): Keras 3 saves its models so, whatever the extension. */
export function isZip(head: Uint8Array): boolean {
  return head[0] === 0x50 && head[1] === 0x4b
}

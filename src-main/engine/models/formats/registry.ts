import { constants } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { extname } from 'node:path'
import { ApiError } from '../../../../src-shared/errors'
import { modelFileKinds, type ModelFileKind } from '../../../../src-shared/model'
import { checkModelFile, MAX_WEIGHT_BYTES } from '../modelFiles'
import type { FileProbe, ModelFileFormat } from './format'
import { keras2Format } from './keras/keras2'
import { keras3Format } from './keras/keras3'
import { onnxFormat } from './onnx/onnxFormat'
import { tfjsLayersFormat } from './tfjs/tfjsLayers'

/**
 * Every format Featurelens opens, one module each, keyed by the kinds of model file the contract
 * lists (src-shared/model.ts): a new format is one module and one entry in each. Their `detect`
 * exclude one another, so the order does not matter.
 */
export const modelFileFormats: Readonly<Record<ModelFileKind, ModelFileFormat>> = {
  tfjsLayers: tfjsLayersFormat,
  onnx: onnxFormat,
  keras2: keras2Format,
  keras3: keras3Format
}

const HEAD_BYTES = 8

/** The first bytes of a checked regular file, read without blocking. */
async function readHead(path: string): Promise<Uint8Array> {
  const { real } = await checkModelFile(path, { what: 'model file', maxBytes: MAX_WEIGHT_BYTES })
  const handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const head = new Uint8Array(HEAD_BYTES)
    const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, 0)
    return head.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

/** What detection sees of a path; a missing path is an error listing what Featurelens opens. */
export async function probeModelPath(path: string): Promise<FileProbe> {
  const info = await stat(path).catch(() => null)
  if (!info) throw new ApiError('bad_input', `${path} does not exist; Featurelens opens ${modelFileKinds()}`)
  const isDirectory = info.isDirectory()
  return { path, isDirectory, extension: extname(path).toLowerCase(), head: isDirectory ? new Uint8Array(0) : await readHead(path) }
}

/** The format that opens a path, or an error naming the path and what Featurelens opens. */
export async function detectModelFormat(path: string): Promise<ModelFileFormat> {
  const probe = await probeModelPath(path)
  const format = Object.values(modelFileFormats).find((f) => f.detect(probe))
  if (!format) {
    throw new ApiError('bad_input', `${path}: Featurelens opens ${modelFileKinds()}; "${probe.extension || 'no extension'}" is none of them`)
  }
  return format
}

import type * as tf from '@tensorflow/tfjs'
import { existsSync, statSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ApiError } from '../../../../../src-shared/errors'
import { MAX_MODEL_JSON_BYTES, parseModelJson, readModelFile } from '../../modelFiles'

/** Largest side of a declared input image, and largest declared input (pixels × channels). */
export const MAX_INPUT_SIDE = 8192
export const MAX_INPUT_VALUES = 64 * 1024 * 1024

/** Accepts `file://…`, a folder holding model.json, or the model.json itself. */
export function resolveModelJsonPath(location: string): string {
  const path = location.startsWith('file://') ? fileURLToPath(location) : resolve(location)
  if (existsSync(path) && statSync(path).isDirectory()) return join(path, 'model.json')
  return path
}

async function resolveModelJsonPathAsync(location: string): Promise<{ path: string; folderGiven: boolean }> {
  const path = location.startsWith('file://') ? fileURLToPath(location) : resolve(location)
  const info = await stat(path).catch(() => null)
  return info?.isDirectory() ? { path: join(path, 'model.json'), folderGiven: true } : { path, folderGiven: false }
}

interface LayerConfig {
  class_name?: unknown
  config?: Record<string, unknown> & { name?: unknown; layers?: unknown }
}

/** The layer list of a Sequential or functional topology (Keras JSON as TF.js stores it). */
export function topologyLayers(topology: unknown): LayerConfig[] | null {
  const t = topology as { model_config?: unknown; config?: unknown } | null
  const root = (t?.model_config ?? t) as { config?: unknown } | null
  const config = root?.config as { layers?: unknown[] } | unknown[] | undefined
  const layers = Array.isArray(config) ? config : config?.layers
  return Array.isArray(layers) ? (layers as LayerConfig[]) : null
}

/** The input shape a TF.js Layers topology declares, [height, width, channels] with null for "any". */
export function declaredInputShape(topology: unknown): (number | null)[] | null {
  const layers = topologyLayers(topology)
  if (!layers || layers.length === 0) return null
  const inputLayer = layers.find((l) => l.class_name === 'InputLayer') ?? layers[0]
  const shape = (inputLayer.config?.batch_input_shape ?? inputLayer.config?.batch_shape) as (number | null)[] | undefined
  return Array.isArray(shape) ? shape.slice(1) : null
}

/** Refuses an input of absurd size before any layer allocates weights for it. */
export function checkDeclaredInput(shape: (number | null)[] | null, path: string): void {
  if (!shape) return
  for (const side of shape) {
    if (side !== null && (typeof side !== 'number' || !Number.isInteger(side) || side < 1)) {
      throw new ApiError('bad_input', `${path} declares the input shape [${shape.join(', ')}], which has a dimension that is not a positive whole number`)
    }
  }
  const sides = shape.slice(0, -1).filter((s): s is number => s !== null)
  const values = shape.reduce<number>((n, s) => n * (s ?? 1), 1)
  if (sides.some((s) => s > MAX_INPUT_SIDE) || values > MAX_INPUT_VALUES) {
    throw new ApiError('bad_input', `${path} declares an input of ${shape.map((s) => s ?? 'any').join('×')}, larger than Featurelens opens (at most ${MAX_INPUT_SIDE} px a side and ${MAX_INPUT_VALUES} values)`)
  }
}

/** Every layer class tfjs-layers can build (its own and any registered by Featurelens). Loads tfjs only when needed. */
async function knownClasses(): Promise<Set<string>> {
  const tfjs = await import('@tensorflow/tfjs')
  return new Set(Object.keys(tfjs.serialization.SerializationMap.getMap().classNameMap))
}

/** Names the first layer whose class tfjs cannot build, looking inside nested models too. */
export function checkLayerClasses(topology: unknown, path: string, known: Set<string>): void {
  const visit = (layers: LayerConfig[]) => {
    for (const layer of layers) {
      const cls = layer.class_name
      if (typeof cls !== 'string' || !known.has(cls)) {
        const name = typeof layer.config?.name === 'string' ? ` (layer "${layer.config.name}")` : ''
        throw new ApiError(
          'bad_input',
          `${path} uses the layer class ${typeof cls === 'string' ? `"${cls}"` : '(none given)'}${name}, which Featurelens cannot build; supported classes include Conv2D, DepthwiseConv2D, Dense, BatchNormalization, pooling, Add, Concatenate, Activation and Dropout`
        )
      }
      const inner = topologyLayers(layer)
      if ((cls === 'Sequential' || cls === 'Model' || cls === 'Functional') && inner) visit(inner)
    }
  }
  const layers = topologyLayers(topology)
  if (!layers) throw new ApiError('bad_input', `${path} has a "modelTopology" without a list of layers; it is not a TF.js Layers model`)
  visit(layers)
}

function isGraphModel(json: { format?: unknown; modelTopology?: unknown }): boolean {
  const topology = json.modelTopology as { node?: unknown } | null | undefined
  return json.format === 'graph-model' || Array.isArray(topology?.node)
}

/**
 * Reads and checks model.json without blocking (size and file type first): a TF.js Layers model
 * with a weights manifest, not a graph model or something else. When a folder is given, a
 * model.json linked to a file outside it is refused.
 */
export async function readModelJson(location: string): Promise<{ path: string; json: tf.io.ModelJSON }> {
  const { path, folderGiven } = await resolveModelJsonPathAsync(location)
  const bytes = await readModelFile(path, {
    what: 'model.json',
    maxBytes: MAX_MODEL_JSON_BYTES,
    within: folderGiven ? dirname(path) : undefined,
    missingHint: 'point to the folder written by tensorflowjs_converter (model.json plus its .bin weight files)'
  })
  const json = parseModelJson(bytes, path, 'model.json') as tf.io.ModelJSON | null
  if (json === null || typeof json !== 'object' || Array.isArray(json) || json.modelTopology === undefined || json.modelTopology === null) {
    throw new ApiError('bad_input', `${path} has no "modelTopology"; it is not a TF.js model.json`)
  }
  if (isGraphModel(json)) {
    throw new ApiError(
      'bad_input',
      `${path} is a TF.js graph model, which has no layers to inspect or fine-tune; convert the Keras model with tensorflowjs_converter --input_format keras --output_format tfjs_layers_model`
    )
  }
  if (!Array.isArray(json.weightsManifest)) {
    throw new ApiError('bad_input', `${path} has no "weightsManifest", so its weights are unknown; it would run with random weights. Export the model with its weights`)
  }
  checkLayerClasses(json.modelTopology, path, await knownClasses())
  checkDeclaredInput(declaredInputShape(json.modelTopology), path)
  return { path, json }
}

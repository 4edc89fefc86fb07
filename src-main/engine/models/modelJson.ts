import type * as tf from '@tensorflow/tfjs'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ApiError } from '../../../src-shared/errors'

/** Accepts `file://…`, a folder holding model.json, or the model.json itself. */
export function resolveModelJsonPath(location: string): string {
  const path = location.startsWith('file://') ? fileURLToPath(location) : resolve(location)
  if (existsSync(path) && statSync(path).isDirectory()) return join(path, 'model.json')
  return path
}

/** Reads and checks model.json: a TF.js Layers model, not a graph model or something else. */
export function readModelJson(location: string): { path: string; json: tf.io.ModelJSON } {
  const path = resolveModelJsonPath(location)
  if (!existsSync(path)) {
    throw new ApiError('bad_input', `no model.json at ${path}; point to the folder written by tensorflowjs_converter (model.json plus its .bin weight files)`)
  }
  let json: tf.io.ModelJSON
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as tf.io.ModelJSON
  } catch (err) {
    throw new ApiError('bad_input', `${path} is not valid JSON (${err instanceof Error ? err.message : String(err)})`)
  }
  if (json === null || typeof json !== 'object' || json.modelTopology === undefined) {
    throw new ApiError('bad_input', `${path} has no "modelTopology"; it is not a TF.js model.json`)
  }
  if (json.format === 'graph-model') {
    throw new ApiError(
      'bad_input',
      `${path} is a TF.js graph model, which cannot be fine-tuned; convert the Keras model with tensorflowjs_converter --input_format keras --output_format tfjs_layers_model`
    )
  }
  return { path, json }
}

/** The input shape a TF.js Layers topology declares, [height, width, channels] with null for "any". */
export function declaredInputShape(topology: unknown): (number | null)[] | null {
  const t = topology as { model_config?: unknown; config?: unknown } | null
  const root = (t?.model_config ?? t) as { config?: unknown } | null
  const config = root?.config as { layers?: unknown[] } | unknown[] | undefined
  const layers = (Array.isArray(config) ? config : config?.layers) as { class_name?: string; config?: Record<string, unknown> }[] | undefined
  if (!layers || layers.length === 0) return null
  const inputLayer = layers.find((l) => l.class_name === 'InputLayer') ?? layers[0]
  const shape = (inputLayer.config?.batch_input_shape ?? inputLayer.config?.batch_shape) as (number | null)[] | undefined
  return Array.isArray(shape) ? shape.slice(1) : null
}

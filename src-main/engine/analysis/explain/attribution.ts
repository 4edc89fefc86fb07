/**
 * One shape for every attribution method, as Captum's `attribute`: the inputs (a model and one
 * image), the target (a class's score, or one unit of a layer), the layer the method looks at
 * and its options → a map over the input, with what its values mean and their units.
 */
import type * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../../src-shared/errors'
import { attributionInfo, type AttributionMethod } from '../../../../src-shared/explain'
import type { ModelInputShape } from '../../../../src-shared/model'
import type { TaskControl } from '../../tasks/taskControl'
import type { Unit } from './gradientMaps'
import type { UnoccludedPass } from './occlusion'

export interface AttributionInputs {
  model: tf.LayersModel
  /** One image, height × width × channels floats in 0..1, channels last. */
  image: Float32Array
  shape: ModelInputShape
}

/** What to explain: a class's score (occlusion, Grad-CAM, saliency), or one unit of the layer (the projections). */
export type AttributionTarget = { kind: 'class'; class: number } | { kind: 'unit'; unit: Unit }

export interface AttributionOptions {
  /** Occlusion's square: side and stride in pixels, and its grey level or "mean"; the defaults suit the input size. */
  patch?: number
  stride?: number
  fill?: number | 'mean'
  /** Occlusion: the network's pass over the unoccluded image, when the caller already has it. */
  unoccluded?: UnoccludedPass
}

export interface AttributionMap<Detail = unknown> {
  method: AttributionMethod
  /** What a value of the map is, and its units (see attributionInfo). */
  meaning: string
  units: string
  /** The layer the method used: Grad-CAM's, occlusion map (a)'s, the projected unit's; null for saliency. */
  layer: string | null
  height: number
  width: number
  /** 1 for a class's map (one value per pixel); the image's channels for a unit's projection. */
  channels: number
  /** height × width × channels, channels last. */
  values: Float32Array
  /** What else the method computed on the way (occlusion's per-position maps, Grad-CAM's map at the layer's size, …). */
  detail: Detail
}

export interface Attribution<Detail = unknown> {
  method: AttributionMethod
  /** `layer`: the method's default for the model when left out (the projections need one). */
  attribute(inputs: AttributionInputs, target: AttributionTarget, layer?: string, options?: AttributionOptions, control?: TaskControl): Promise<AttributionMap<Detail>>
}

/** The class a class method explains; fails for a unit target. */
export function targetClass(method: AttributionMethod, target: AttributionTarget): number {
  if (target.kind !== 'class') throw new ApiError('invalid_request', `${attributionInfo[method].label} explains a class's score, not a unit; give the class to explain`)
  return target.class
}

/** The unit a unit method projects; fails for a class target. */
export function targetUnit(method: AttributionMethod, target: AttributionTarget): Unit {
  if (target.kind !== 'unit') throw new ApiError('invalid_request', `${attributionInfo[method].label} projects one unit of a layer, not a class; give the unit (position and channel)`)
  return target.unit
}

export function attributionMap<Detail>(method: AttributionMethod, shape: ModelInputShape, layer: string | null, values: Float32Array, detail: Detail): AttributionMap<Detail> {
  const { meaning, units, explains } = attributionInfo[method]
  return { method, meaning, units, layer, height: shape.height, width: shape.width, channels: explains === 'class' ? 1 : shape.channels, values, detail }
}

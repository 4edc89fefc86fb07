/**
 * Pointing figures: explanations checked against known evidence, for every method of the
 * registry that explains a class (PointingMethod). For images whose generator
 * recorded where each attribute is drawn (the synthetic faces), the share of a map's positive
 * mass that falls inside an attribute's region, next to the region's share of the image. A
 * map that points at the evidence has a share well above the area share.
 */
import type * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../../src-shared/errors'
import { attributionInfo, type PointingMethod } from '../../../../src-shared/explain'
import type { ModelInputShape } from '../../../../src-shared/model'
import { TaskProgressTracker, type TaskControl } from '../../tasks/taskControl'
import type { AttributionOptions } from './attribution'
import { attributionOf } from './attributions'
import type { RegionMasks } from './spatialEnergy'

export interface Spread {
  mean: number
  std: number
  min: number
  max: number
}

export interface PointingFigures {
  images: number
  methods: {
    method: PointingMethod
    regions: { attribute: string; area: Spread; share: Spread }[]
    /** Images left out because the map had no positive mass (nothing to point with). */
    empty: number
  }[]
}

export interface PointingImages {
  x: Float32Array
  labels: ArrayLike<number>
  shape: ModelInputShape
  /** Per attribute, one H×W mask per image. */
  masks: RegionMasks
}

export interface PointingOptions {
  methods: PointingMethod[]
  /** Each method's layer (Grad-CAM's, occlusion map (a)'s); the method's default for the model where left out. */
  layers: Partial<Record<PointingMethod, string>>
  /** The occluding square. */
  attribution: AttributionOptions
}

/** Share of the positive mass of `map` inside `mask`; null when the map has none. */
export function positiveShare(map: ArrayLike<number>, mask: ArrayLike<number>): number | null {
  let total = 0
  let inside = 0
  for (let p = 0; p < map.length; p++) {
    const v = map[p]
    if (v > 0) {
      total += v
      if (mask[p]) inside += v
    }
  }
  return total > 0 ? inside / total : null
}

export function areaShare(mask: ArrayLike<number>): number {
  let s = 0
  for (let p = 0; p < mask.length; p++) if (mask[p]) s++
  return s / mask.length
}

export function spread(values: number[]): Spread {
  if (values.length === 0) return { mean: 0, std: 0, min: 0, max: 0 }
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  const variance = values.length > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1) : 0
  return { mean, std: Math.sqrt(variance), min: Math.min(...values), max: Math.max(...values) }
}

/**
 * Each attribute's region, and where regions overlap (the synthetic faces' jaw-and-beard region
 * holds most of the mouth) also "A only": the region without the other attributes' regions, so
 * mass on the mouth is not counted as mass on the jaw.
 */
export function withExclusiveRegions(masks: RegionMasks): RegionMasks {
  const names = [...masks.keys()]
  const out: RegionMasks = new Map(masks)
  for (const name of names) {
    const own = masks.get(name)!
    const exclusive = own.map((mask, i) => Uint8Array.from(mask, (v, p) => (v && !names.some((other) => other !== name && masks.get(other)![i][p]) ? 1 : 0)))
    const overlaps = exclusive.some((m, i) => m.some((v, p) => v !== own[i][p]))
    if (overlaps) out.set(`${name} only`, exclusive)
  }
  return out
}

export async function pointingFigures(model: tf.LayersModel, images: PointingImages, options: PointingOptions, control: TaskControl = {}): Promise<PointingFigures> {
  const { height: H, width: W, channels: C } = images.shape
  const n = images.labels.length
  if (n === 0) throw new ApiError('bad_input', 'no images to compute pointing figures on; choose a larger sample')
  const masks = withExclusiveRegions(images.masks)
  const attributes = [...masks.keys()]
  const progress = new TaskProgressTracker(n * options.methods.length, control, 'the pointing figures')
  const out: PointingFigures = { images: n, methods: [] }
  for (const method of options.methods) {
    progress.stage(`${attributionInfo[method].label} maps of ${n} images`)
    const shares = attributes.map(() => [] as number[])
    const areas = attributes.map(() => [] as number[])
    let empty = 0
    for (let i = 0; i < n; i++) {
      const image = images.x.subarray(i * H * W * C, (i + 1) * H * W * C)
      const { values: map } = await attributionOf(method).attribute({ model, image, shape: images.shape }, { kind: 'class', class: images.labels[i] }, options.layers[method], options.attribution)
      let counted = false
      attributes.forEach((attribute, a) => {
        const mask = masks.get(attribute)![i]
        const share = positiveShare(map, mask)
        if (share === null) return
        counted = true
        shares[a].push(share)
        areas[a].push(areaShare(mask))
      })
      if (!counted && attributes.length) empty++
      await progress.step(1)
    }
    out.methods.push({ method, regions: attributes.map((attribute, a) => ({ attribute, area: spread(areas[a]), share: spread(shares[a]) })), empty })
  }
  progress.finish()
  return out
}

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

/** Per image of the sample: the share of the map's positive mass inside the region (null where the map had none) and the region's share of the image. */
export interface PointingRegionValues {
  attribute: string
  shares: (number | null)[]
  areas: number[]
}

export interface PointingFigures {
  images: number
  methods: {
    method: PointingMethod
    regions: PointingRegionValues[]
    /** Images left out because the map had no positive mass (nothing to point with). */
    empty: number
  }[]
  /** One sentence per "X only" region. */
  regionNotes: { region: string; note: string }[]
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

/** For each attribute, the other attributes whose regions overlap its own on some image. */
function overlapping(masks: RegionMasks): Map<string, string[]> {
  const names = [...masks.keys()]
  return new Map(names.map((name) => [name, names.filter((other) => other !== name && masks.get(name)!.some((mask, i) => mask.some((v, p) => v && masks.get(other)![i][p])))]))
}

/**
 * Each attribute's region, and where regions overlap (the synthetic faces' jaw-and-beard region
 * holds most of the mouth) also "A only": the region without the other attributes' regions, so
 * mass on the mouth is not counted as mass on the jaw.
 */
export function withExclusiveRegions(masks: RegionMasks): RegionMasks {
  const names = [...masks.keys()]
  const out: RegionMasks = new Map(masks)
  for (const [name, others] of overlapping(masks)) {
    if (others.length === 0) continue
    const own = masks.get(name)!
    out.set(`${name} only`, own.map((mask, i) => Uint8Array.from(mask, (v, p) => (v && !names.some((other) => other !== name && masks.get(other)![i][p]) ? 1 : 0))))
  }
  return out
}

/** What each "A only" region of withExclusiveRegions leaves out, in one sentence. */
export function exclusiveRegionNotes(masks: RegionMasks): { region: string; note: string }[] {
  return [...overlapping(masks)]
    .filter(([, others]) => others.length > 0)
    .map(([name, others]) => ({
      region: `${name} only`,
      note: `"${name} only" is the ${name} region without the pixels it shares with the ${others.join(' and ')} region${others.length > 1 ? 's' : ''}, so mass there is not counted for ${name} as well.`
    }))
}

export async function pointingFigures(model: tf.LayersModel, images: PointingImages, options: PointingOptions, control: TaskControl = {}): Promise<PointingFigures> {
  const { height: H, width: W, channels: C } = images.shape
  const n = images.labels.length
  if (n === 0) throw new ApiError('bad_input', 'no images to compute pointing figures on; choose a larger sample')
  const masks = withExclusiveRegions(images.masks)
  const attributes = [...masks.keys()]
  const progress = new TaskProgressTracker(n * options.methods.length, control, 'the pointing figures')
  const out: PointingFigures = { images: n, methods: [], regionNotes: exclusiveRegionNotes(images.masks) }
  const areas = attributes.map((attribute) => masks.get(attribute)!.map(areaShare))
  for (const method of options.methods) {
    progress.stage(`${attributionInfo[method].label} maps of ${n} images`)
    const shares = attributes.map(() => [] as (number | null)[])
    let empty = 0
    for (let i = 0; i < n; i++) {
      const image = images.x.subarray(i * H * W * C, (i + 1) * H * W * C)
      const { values: map } = await attributionOf(method).attribute({ model, image, shape: images.shape }, { kind: 'class', class: images.labels[i] }, options.layers[method], options.attribution)
      let counted = false
      attributes.forEach((attribute, a) => {
        const share = positiveShare(map, masks.get(attribute)![i])
        if (share !== null) counted = true
        shares[a].push(share)
      })
      if (!counted && attributes.length) empty++
      await progress.step(1)
    }
    out.methods.push({ method, regions: attributes.map((attribute, a) => ({ attribute, shares: shares[a], areas: areas[a] })), empty })
  }
  progress.finish()
  return out
}

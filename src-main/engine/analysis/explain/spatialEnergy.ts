/**
 * "Where each model looks" (issue 7, seed 004): the spatial energy of a layer's feature maps,
 * Σ_c a²(y, x) / C per image, normalised to a distribution over the image, averaged over a
 * sample and upsampled to the input. With evidence masks (synthetic faces) it also gives the
 * share of that energy inside each attribute's region, to compare with the region's area.
 */
import type * as tf from '@tensorflow/tfjs'
import type { LayerInfo } from '../../../../src-shared/compare'
import { ApiError } from '../../../../src-shared/errors'
import { TaskProgressTracker, type TaskControl } from '../../tasks/taskControl'
import type { ExampleImages } from '../core/imageSample'
import { forEachActivationBatch } from '../core/layerRepresentations'
import { bilinearPlan, upsampleInto } from './resample'

export interface EnergySource {
  model: tf.LayersModel
  layer: LayerInfo
  images: ExampleImages
}

/** Per example, per attribute: 1 where the attribute is drawn, at the input size. */
export type RegionMasks = Map<string, Uint8Array[]>

export interface SpatialEnergy {
  /** Per source: mean normalised energy at input size, scaled so its mean is 1. */
  energy: Float32Array<ArrayBuffer>[]
  /** Per attribute: mean region area share, and per source the mean energy share inside it. */
  regions: { attribute: string; area: number; shares: number[] }[]
  mapHeight: number
  mapWidth: number
  /** Mean input image in grey. */
  meanImage: Float32Array<ArrayBuffer>
}

export function isSpatial(layer: LayerInfo): boolean {
  return layer.shape.length === 3 && layer.shape[0] > 1 && layer.shape[1] > 1
}

/**
 * The deepest conv layer whose maps are still at least 4×4: deep enough to be task-specific,
 * coarse enough not to be mere edges, fine enough to localise a mouth.
 */
export function defaultEnergyLayer(layers: LayerInfo[]): LayerInfo {
  const spatial = layers.filter(isSpatial)
  const conv = spatial.filter((l) => /Conv/.test(l.className) && l.shape[0] >= 4 && l.shape[1] >= 4)
  const pick = conv.at(-1) ?? spatial.at(-1)
  if (!pick) throw new ApiError('bad_input', 'the model has no layer with spatial feature maps (height × width × channels) to locate its attention with')
  return pick
}

export async function spatialEnergy(sources: EnergySource[], masks: RegionMasks | null, control: TaskControl = {}): Promise<SpatialEnergy> {
  const { height: H, width: W, channels } = sources[0].images.shape
  const n = sources[0].images.indices.length
  const [h, w] = sources[0].layer.shape
  for (const s of sources) {
    if (!isSpatial(s.layer)) {
      const why = s.layer.shape.length === 3 ? 'maps of one pixel, which cannot show where the model looks' : 'no feature maps'
      throw new ApiError('invalid_request', `layer: "${s.layer.name}" has output [${s.layer.shape.join(', ')}], ${why}; choose a conv or pooling layer with maps of at least 2×2`)
    }
    if (s.images.shape.height !== H || s.images.shape.width !== W) {
      throw new ApiError('bad_input', 'the two runs take inputs of different sizes, so their maps cannot be put on one image; compare runs trained at one input size')
    }
  }
  const attributes = masks ? [...masks.keys()] : []
  const energy = sources.map(() => new Float64Array(H * W))
  const shares = attributes.map(() => sources.map(() => 0))
  const progress = new TaskProgressTracker(n * sources.length, control, 'the attention maps')
  const up = new Float64Array(H * W)

  for (const [k, source] of sources.entries()) {
    const [sh, sw, sc] = source.layer.shape
    const plan = bilinearPlan(sh, sw, H, W)
    const map = new Float64Array(sh * sw)
    progress.stage(`feature maps of run ${k === 0 ? 'A' : 'B'}, layer ${source.layer.name}`)
    await forEachActivationBatch(source.model, source.images, [source.layer.name], [0, n], async (first, [acts]) => {
      for (let r = 0; r < acts.rows; r++) {
        const base = r * acts.cols
        map.fill(0)
        for (let p = 0; p < sh * sw; p++) {
          let s = 0
          for (let ch = 0; ch < sc; ch++) s += acts.data[base + p * sc + ch] ** 2
          map[p] = s / sc
        }
        upsampleInto(map, sw, plan, up)
        let total = 0
        for (let p = 0; p < up.length; p++) total += up[p]
        // A dead map (all zero) carries no location; it counts as uniform.
        const norm = total > 0 ? 1 / total : 0
        for (let p = 0; p < up.length; p++) energy[k][p] += total > 0 ? up[p] * norm : 1 / up.length
        attributes.forEach((attribute, a) => {
          const mask = masks!.get(attribute)![first + r]
          let inside = 0
          for (let p = 0; p < up.length; p++) if (mask[p]) inside += total > 0 ? up[p] * norm : 1 / up.length
          shares[a][k] += inside
        })
      }
      await progress.step(acts.rows)
    }, progress)
  }
  progress.finish()

  const meanImage = new Float32Array(H * W)
  const x = sources[0].images.x
  for (let i = 0; i < n; i++) {
    const base = i * H * W * channels
    for (let p = 0; p < H * W; p++) {
      let s = 0
      for (let ch = 0; ch < channels; ch++) s += x[base + p * channels + ch]
      meanImage[p] += s / channels / n
    }
  }
  const regions = attributes.map((attribute, a) => {
    const list = masks!.get(attribute)!
    const area = list.reduce((s, m) => s + m.reduce((t, v) => t + v, 0) / m.length, 0) / n
    return { attribute, area, shares: shares[a].map((s) => s / n) }
  })
  return {
    energy: energy.map((e) => Float32Array.from(e, (v) => (v / n) * H * W)),
    regions,
    mapHeight: h,
    mapWidth: w,
    meanImage
  }
}

/**
 * What the Explain page offers for a model before anything is chosen: its layers, and the
 * per-model defaults of each method (occlusion square and layer, Grad-CAM layer, invariance layers).
 */
import type * as tf from '@tensorflow/tfjs'
import type { ExplainLayer, ExplainOverview } from '../../../../src-shared/explain'
import { modelImageShape } from '../core/imageInput'
import { defaultInvarianceLayers } from './invariance'
import { defaultOcclusion, defaultOcclusionLayer } from './occlusion'

export function layerList(model: tf.LayersModel): ExplainLayer[] {
  return model.layers
    .filter((l) => l.getClassName() !== 'InputLayer')
    .map((l) => {
      const shape = (l.outputShape as (number | null)[]).slice(1).map((d) => d ?? 0)
      return { name: l.name, className: l.getClassName(), shape, spatial: shape.length === 3 }
    })
}

/**
 * The default Grad-CAM layer: the deepest conv layer whose maps are at least 8 cells (or a
 * sixteenth of the input) across, fine enough to tell a mouth from a jaw; else the deepest conv layer.
 */
export function defaultGradcamLayer(model: tf.LayersModel): string {
  const { height, width } = modelImageShape(model)
  const least = Math.max(8, Math.round(Math.min(height, width) / 16))
  const fine = model.layers.filter((l) => {
    const s = l.outputShape as (number | null)[]
    return /Conv/.test(l.getClassName()) && s.length === 4 && Math.min(s[1] ?? 0, s[2] ?? 0) >= least
  })
  return fine.at(-1)?.name ?? defaultOcclusionLayer(model)
}

export function explainDefaults(model: tf.LayersModel): ExplainOverview['defaults'] {
  return {
    occlusion: defaultOcclusion(modelImageShape(model)),
    occlusionLayer: defaultOcclusionLayer(model),
    gradcamLayer: defaultGradcamLayer(model),
    invarianceLayers: defaultInvarianceLayers(model)
  }
}

/**
 * The registry of attribution methods: every name of the contract's AttributionMethod has one
 * entry here, so pointing figures, the Explain handlers and Compare iterate over it instead of
 * switching on names. To add a method: its name and meaning in src-shared/explain.ts, its entry here.
 */
import type { AttributionMethod } from '../../../../src-shared/explain'
import { ApiError } from '../../../../src-shared/errors'
import { attributionMap, targetClass, targetUnit, type Attribution } from './attribution'
import { explainDefaults } from './explainDefaults'
import { gradCam, projectUnits, saliency, type GradCam, type Unit } from './gradientMaps'
import type { ReluRule } from './layerGraph'
import { defaultOcclusion, occlusion, type OcclusionResult } from './occlusion'

const occlusionAttribution: Attribution<OcclusionResult> = {
  method: 'occlusion',
  async attribute({ model, image, shape }, target, layer, options = {}, control) {
    const defaults = defaultOcclusion(shape)
    const result = await occlusion(
      model,
      image,
      shape,
      {
        patch: options.patch ?? defaults.patch,
        stride: options.stride ?? defaults.stride,
        fill: options.fill ?? defaults.fill,
        layer: layer ?? explainDefaults(model).occlusionLayer,
        cls: targetClass('occlusion', target)
      },
      control,
      options.unoccluded
    )
    return attributionMap('occlusion', shape, result.layer, result.attribution, result)
  }
}

const gradCamAttribution: Attribution<GradCam> = {
  method: 'gradcam',
  async attribute({ model, image, shape }, target, layer) {
    const cam = await gradCam(model, image, shape, targetClass('gradcam', target), layer ?? explainDefaults(model).gradcamLayer)
    return attributionMap('gradcam', shape, cam.layer, cam.upsampled, cam)
  }
}

const saliencyAttribution: Attribution<{ gradient: Float32Array }> = {
  method: 'saliency',
  async attribute({ model, image, shape }, target) {
    const s = await saliency(model, image, shape, targetClass('saliency', target))
    return attributionMap('saliency', shape, null, s.map, { gradient: s.gradient })
  }
}

function projection(method: AttributionMethod, rule: ReluRule): Attribution<{ unit: Unit & { value: number } }> {
  return {
    method,
    async attribute({ model, image, shape }, target, layer) {
      if (!layer) throw new ApiError('invalid_request', `layer: the ${method} projection sends one unit of a layer back to the pixels; choose the layer`)
      const unit = targetUnit(method, target)
      const { projections, values } = await projectUnits(model, image, 1, shape, layer, [unit], rule)
      return attributionMap(method, shape, layer, projections, { unit: { ...unit, value: values[0] } })
    }
  }
}

export const attributions = {
  occlusion: occlusionAttribution,
  gradcam: gradCamAttribution,
  saliency: saliencyAttribution,
  deconvnet: projection('deconvnet', 'deconvnet'),
  guided: projection('guided', 'guided')
} satisfies Record<AttributionMethod, Attribution>

/** The method registered under `method`, for code that iterates over methods. */
export function attributionOf(method: AttributionMethod): Attribution {
  return attributions[method]
}

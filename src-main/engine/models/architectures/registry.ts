import type { BuiltinModelName, ModelInputShape, OutputActivation } from '../../../../src-shared/model'
import { fcnn3Plan } from './fcnn3'
import type { ModelPlan, PlanArgs } from '../layerPlan'
import { lenet5Plan } from './lenet5'
import { minimalPlan } from './minimal'
import { resnetPlan } from './resnet'
import { vggPlan } from './vgg'

const families: Record<BuiltinModelName, (args: PlanArgs) => ModelPlan> = {
  minimal: minimalPlan,
  lenet5: lenet5Plan,
  fcnn3: fcnn3Plan,
  vgg11: (args) => vggPlan(11, args),
  vgg16: (args) => vggPlan(16, args),
  vgg19: (args) => vggPlan(19, args),
  resnet18: (args) => resnetPlan(18, args),
  resnet50: (args) => resnetPlan(50, args)
}

export const builtinModelNames = Object.keys(families) as BuiltinModelName[]

export function isBuiltinModel(name: string): name is BuiltinModelName {
  return Object.hasOwn(families, name)
}

/** The parts of a ModelSpec a built-in architecture depends on. */
export interface BuiltinSpec {
  name: BuiltinModelName
  widthMultiplier?: number
  batchNorm?: boolean
}

/** The layer graph of a built-in architecture, without allocating any weights. */
export function planModel(spec: BuiltinSpec, input: ModelInputShape, numOutputs: number, outputActivation: OutputActivation): ModelPlan {
  const family = families[spec.name]
  if (!family) throw new Error(`"${spec.name}" is not a built-in architecture`)
  return family({ input, numOutputs, outputActivation, widthMultiplier: spec.widthMultiplier ?? 1, batchNorm: spec.batchNorm ?? false })
}

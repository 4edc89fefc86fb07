import { PlanBuilder, scaleWidth, type ModelPlan, type PlanArgs } from '../layerPlan'

/**
 * Three dense layers, the small MNIST example of seed 004 whose first weight matrix
 * (input → fc1) is shown after epochs 1 and 5.
 */
export function fcnn3Plan(args: PlanArgs): ModelPlan {
  const w = (n: number) => scaleWidth(n, args.widthMultiplier)
  const p = new PlanBuilder('fcnn3')
  let x = p.input([args.input.height, args.input.width, args.input.channels])
  x = p.flatten('flatten', x)
  x = p.dense('fc1', x, w(128), 'relu')
  x = p.dense('fc2', x, w(64), 'relu')
  x = p.dense('predictions', x, args.numOutputs, args.outputActivation)
  return p.finish(x)
}

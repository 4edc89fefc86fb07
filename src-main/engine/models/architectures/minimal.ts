import { PlanBuilder, scaleWidth, type ModelPlan, type PlanArgs } from '../layerPlan'

/**
 * The smallest CNN that still shows a feature hierarchy on MNIST, after the minimal model of
 * Teow 2017 (seed 000's reference [5]): two conv/pool stages and a linear classifier.
 * 28 px → 24 → 12 → 8 → 4, so the classifier sees 4×4×16 features.
 */
export function minimalPlan(args: PlanArgs): ModelPlan {
  const w = (n: number) => scaleWidth(n, args.widthMultiplier)
  const p = new PlanBuilder('minimal')
  let x = p.input([args.input.height, args.input.width, args.input.channels])
  x = p.conv('conv1', x, { filters: w(8), kernel: 5, padding: 'valid', activation: 'relu' })
  x = p.maxPool('pool1', x, 2)
  x = p.conv('conv2', x, { filters: w(16), kernel: 5, padding: 'valid', activation: 'relu' })
  x = p.maxPool('pool2', x, 2)
  x = p.flatten('flatten', x)
  x = p.dense('predictions', x, args.numOutputs, args.outputActivation)
  return p.finish(x)
}

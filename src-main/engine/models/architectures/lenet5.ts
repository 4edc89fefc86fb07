import { PlanBuilder, scaleWidth, type ModelPlan, type PlanArgs } from '../layerPlan'

/**
 * LeNet-5 (LeCun et al. 1998): C1 6@5×5, S2, C3 16@5×5, S4, C5 120@5×5, F6 84, output.
 * LeNet was drawn for 32 px digits; C1 pads by 2 ('same') so 28 px MNIST gets the same
 * 28 → 14 → 10 → 5 → 1 geometry. ReLU replaces the scaled tanh because it trains to 98%+
 * in two epochs; the subsampling layers stay average pools as in the paper.
 */
export function lenet5Plan(args: PlanArgs): ModelPlan {
  const w = (n: number) => scaleWidth(n, args.widthMultiplier)
  const p = new PlanBuilder('lenet5')
  let x = p.input([args.input.height, args.input.width, args.input.channels])
  x = p.conv('c1', x, { filters: w(6), kernel: 5, padding: 'same', activation: 'relu' })
  x = p.avgPool('s2', x, 2)
  x = p.conv('c3', x, { filters: w(16), kernel: 5, padding: 'valid', activation: 'relu' })
  x = p.avgPool('s4', x, 2)
  x = p.conv('c5', x, { filters: w(120), kernel: 5, padding: 'valid', activation: 'relu' })
  x = p.flatten('flatten', x)
  x = p.dense('f6', x, w(84), 'relu')
  x = p.dense('predictions', x, args.numOutputs, args.outputActivation)
  return p.finish(x)
}

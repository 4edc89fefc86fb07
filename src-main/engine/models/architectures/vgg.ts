import { PlanBuilder, scaleWidth, type ModelPlan, type PlanArgs } from '../layerPlan'

export type VggDepth = 11 | 16 | 19

/** Convolutions per block for configurations A (11), D (16) and E (19) of Simonyan & Zisserman 2014. */
const convsPerBlock: Record<VggDepth, number[]> = {
  11: [1, 1, 2, 2, 2],
  16: [2, 2, 3, 3, 3],
  19: [2, 2, 4, 4, 4]
}
const blockFilters = [64, 128, 256, 512, 512]

/**
 * VGG with Keras' layer names (block3_conv2, block3_pool, fc1, fc2, predictions), so a Keras
 * VGG converted to TF.js lines up with ours name by name. The multiplier scales the conv
 * filters and the 4096-wide dense layers alike: width 1/4 at 64 px is a CPU-sized VGG.
 */
export function vggPlan(depth: VggDepth, args: PlanArgs): ModelPlan {
  const w = (n: number) => scaleWidth(n, args.widthMultiplier)
  const p = new PlanBuilder(`vgg${depth}`)
  let x = p.input([args.input.height, args.input.width, args.input.channels])
  convsPerBlock[depth].forEach((convs, b) => {
    for (let c = 1; c <= convs; c++) {
      x = p.conv(`block${b + 1}_conv${c}`, x, { filters: w(blockFilters[b]), kernel: 3, padding: 'same', activation: 'relu' })
      // After the ReLU, so the conv layer's own output stays the feature map the views show.
      if (args.batchNorm) x = p.batchNorm(`block${b + 1}_conv${c}_bn`, x)
    }
    x = p.maxPool(`block${b + 1}_pool`, x, 2)
  })
  x = p.flatten('flatten', x)
  x = p.dense('fc1', x, w(4096), 'relu')
  x = p.dense('fc2', x, w(4096), 'relu')
  x = p.dense('predictions', x, args.numOutputs, args.outputActivation)
  return p.finish(x)
}

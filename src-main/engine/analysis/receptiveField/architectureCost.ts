import type { PlanNode } from '../../models/layerPlan'

export interface LayerCost {
  params: number
  trainableParams: number
  /** Multiply-accumulates for one image. */
  flops: number
}

const product = (dims: number[]) => dims.reduce((a, b) => a * b, 1)

/**
 * Parameters and multiply-accumulates from shapes alone, so the table needs no weights.
 * Counting only conv and dense MACs is the convention behind published figures such as
 * VGG-16's 15.5 G, which the tests check.
 */
export function layerCost(node: PlanNode, inputShapes: number[][], outputShape: number[]): LayerCost {
  const input = inputShapes[0] ?? []
  let params = 0
  let trainable = 0
  let flops = 0
  switch (node.op) {
    case 'conv': {
      const [kh, kw] = node.kernel
      const cin = input[input.length - 1]
      const positions = outputShape[0] * outputShape[1]
      const window = kh * kw
      if (node.variant === 'depthwise') {
        const cout = cin * node.filters
        params = window * cout + (node.useBias ? cout : 0)
        flops = positions * cout * window
      } else if (node.variant === 'separable') {
        const mid = cin * (node.depthMultiplier ?? 1)
        params = window * mid + mid * node.filters + (node.useBias ? node.filters : 0)
        flops = positions * mid * (window + node.filters)
      } else {
        params = window * cin * node.filters + (node.useBias ? node.filters : 0)
        flops = positions * node.filters * window * cin
      }
      trainable = params
      break
    }
    case 'dense': {
      const features = input[input.length - 1]
      params = features * node.units + (node.useBias ? node.units : 0)
      trainable = params
      // A Dense on a feature map acts per position, like a 1×1 convolution.
      flops = product(input.slice(0, -1)) * features * node.units
      break
    }
    case 'batchNorm': {
      const channels = input[input.length - 1]
      const affine = (node.center ? 1 : 0) + (node.scale ? 1 : 0)
      params = channels * (2 + affine) // moving mean and variance are weights too, never trained
      trainable = channels * affine
      break
    }
    default:
      break
  }
  if (node.params) {
    params = node.params.total
    trainable = node.params.trainable
  }
  if (node.trainable === false) trainable = 0
  return { params, trainableParams: trainable, flops }
}

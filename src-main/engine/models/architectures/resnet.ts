import { PlanBuilder, scaleWidth, type ModelPlan, type PlanArgs } from '../layerPlan'

export type ResnetDepth = 18 | 50

const blocksPerStage: Record<ResnetDepth, number[]> = {
  18: [2, 2, 2, 2],
  50: [3, 4, 6, 3]
}
const stageFilters = [64, 128, 256, 512]

/**
 * ResNet v1 (He et al. 2016). Stages are numbered 2–5 after the paper's conv2_x…conv5_x, and
 * layers are named stage3_block1_conv2, stage3_block1_add, stage3_block1_out, etc.
 *
 * Geometry choices that decide the published receptive-field values: the stem pads 3 explicitly
 * before its 7×7/2 conv and max-pools 3×3/2 with TF 'same' padding, and bottleneck blocks put the
 * stride on their first 1×1 conv (Keras/Caffe v1). At 224 px that gives ResNet-50 a final field of
 * 483 px, jump 32 and effective padding 239, as tabulated by Araujo et al. 2019.
 */
export function resnetPlan(depth: ResnetDepth, args: PlanArgs): ModelPlan {
  const w = (n: number) => scaleWidth(n, args.widthMultiplier)
  const bottleneck = depth === 50
  const p = new PlanBuilder(`resnet${depth}`)
  let x = p.input([args.input.height, args.input.width, args.input.channels])
  x = p.zeroPad('conv1_pad', x, 3)
  x = p.conv('conv1', x, { filters: w(64), kernel: 7, strides: 2, padding: 'valid', useBias: false })
  x = p.batchNorm('conv1_bn', x)
  x = p.activation('conv1_relu', x, 'relu')
  x = p.maxPool('pool1', x, 3, 2, 'same')

  blocksPerStage[depth].forEach((blocks, i) => {
    const stage = i + 2
    for (let b = 1; b <= blocks; b++) {
      const stride = b === 1 && stage > 2 ? 2 : 1
      // Bottleneck stage 2 widens 64 → 256 without striding, so its first block projects too.
      const project = b === 1 && (stride > 1 || bottleneck)
      const block = { p, name: `stage${stage}_block${b}`, filters: w(stageFilters[i]), stride, project }
      x = bottleneck ? bottleneckBlock(block, x) : basicBlock(block, x)
    }
  })

  x = p.globalAvgPool('avg_pool', x)
  x = p.dense('predictions', x, args.numOutputs, args.outputActivation)
  return p.finish(x)
}

interface Block {
  p: PlanBuilder
  name: string
  filters: number
  stride: number
  project: boolean
}

function basicBlock({ p, name, filters, stride, project }: Block, input: string): string {
  let x = p.conv(`${name}_conv1`, input, { filters, kernel: 3, strides: stride, useBias: false })
  x = p.batchNorm(`${name}_bn1`, x)
  x = p.activation(`${name}_relu1`, x, 'relu')
  x = p.conv(`${name}_conv2`, x, { filters, kernel: 3, useBias: false })
  x = p.batchNorm(`${name}_bn2`, x)
  const shortcut = project ? projection(p, name, input, filters, stride) : input
  return p.activation(`${name}_out`, p.addMerge(`${name}_add`, [x, shortcut]), 'relu')
}

function bottleneckBlock({ p, name, filters, stride, project }: Block, input: string): string {
  let x = p.conv(`${name}_conv1`, input, { filters, kernel: 1, strides: stride, padding: 'valid', useBias: false })
  x = p.batchNorm(`${name}_bn1`, x)
  x = p.activation(`${name}_relu1`, x, 'relu')
  x = p.conv(`${name}_conv2`, x, { filters, kernel: 3, useBias: false })
  x = p.batchNorm(`${name}_bn2`, x)
  x = p.activation(`${name}_relu2`, x, 'relu')
  x = p.conv(`${name}_conv3`, x, { filters: 4 * filters, kernel: 1, padding: 'valid', useBias: false })
  x = p.batchNorm(`${name}_bn3`, x)
  const shortcut = project ? projection(p, name, input, 4 * filters, stride) : input
  return p.activation(`${name}_out`, p.addMerge(`${name}_add`, [x, shortcut]), 'relu')
}

function projection(p: PlanBuilder, name: string, input: string, filters: number, stride: number): string {
  const x = p.conv(`${name}_shortcut_conv`, input, { filters, kernel: 1, strides: stride, padding: 'valid', useBias: false })
  return p.batchNorm(`${name}_shortcut_bn`, x)
}

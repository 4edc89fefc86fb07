/**
 * A framework-free description of a layer graph. The architecture families describe themselves
 * as plans; one function turns a plan into a tfjs model, and the architecture table reads plans
 * directly, so a 550 MB VGG-19 can be tabulated without allocating a single weight. Imported
 * tfjs models are read back into the same form (planFromModel).
 */

export type Pair = [number, number]
export type Padding2D = [Pair, Pair] // [[top, bottom], [left, right]]
export type PaddingMode = 'valid' | 'same'
export type MergeMode = 'add' | 'concat' | 'multiply' | 'average' | 'maximum' | 'minimum'

interface NodeBase {
  name: string
  /** Names of the nodes feeding this one, in call order. */
  inputs: string[]
  /** Keras/TF.js class name, for display and for reading models back. */
  className: string
  trainable?: boolean
  /** Measured parameter counts (from a real model); when absent they are derived from shapes. */
  params?: { total: number; trainable: number }
}

export type PlanNode =
  | (NodeBase & { op: 'input'; shape: (number | null)[] })
  | (NodeBase & {
      op: 'conv'
      variant: 'standard' | 'depthwise' | 'separable'
      /** Output channels; for depthwise convolution the depth multiplier. */
      filters: number
      /** For separable convolution, the depthwise stage's multiplier. */
      depthMultiplier?: number
      kernel: Pair
      strides: Pair
      dilation: Pair
      padding: PaddingMode
      activation: string
      useBias: boolean
    })
  | (NodeBase & { op: 'pool'; mode: 'max' | 'avg'; pool: Pair; strides: Pair; padding: PaddingMode })
  | (NodeBase & { op: 'globalPool'; mode: 'max' | 'avg' })
  | (NodeBase & { op: 'zeroPad'; pad: Padding2D })
  | (NodeBase & { op: 'crop'; crop: Padding2D })
  | (NodeBase & { op: 'batchNorm'; center: boolean; scale: boolean })
  | (NodeBase & { op: 'activation'; activation: string })
  | (NodeBase & { op: 'dropout'; rate: number })
  | (NodeBase & { op: 'flatten' })
  | (NodeBase & { op: 'dense'; units: number; activation: string; useBias: boolean })
  | (NodeBase & { op: 'merge'; mode: MergeMode })
  /** A layer whose geometry is not modelled; its shape comes from the real model. */
  | (NodeBase & { op: 'other'; outputShape: (number | null)[] })

export type PlanOp = PlanNode['op']

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
/** A node without its wiring: what a layer's config says about its geometry. */
export type PlanGeometry = DistributiveOmit<PlanNode, keyof NodeBase>

export interface ModelPlan {
  name: string
  nodes: PlanNode[]
  /** Name of the node whose output is the model's output. */
  output: string
}

export function pair(value: number | Pair): Pair {
  return typeof value === 'number' ? [value, value] : value
}

/** Hidden widths scale with the multiplier but never vanish. */
export function scaleWidth(units: number, multiplier: number): number {
  return Math.max(1, Math.round(units * multiplier))
}

interface ConvOptions {
  filters: number
  kernel: number | Pair
  strides?: number | Pair
  dilation?: number | Pair
  padding?: PaddingMode
  activation?: string
  useBias?: boolean
}

/**
 * Appends nodes to a plan and returns each node's name, so family files read like the
 * architecture tables in the papers they follow.
 */
export class PlanBuilder {
  private readonly nodes: PlanNode[] = []
  private readonly names = new Set<string>()

  constructor(readonly modelName: string) {}

  private add<N extends PlanNode>(node: N): string {
    if (this.names.has(node.name)) throw new Error(`duplicate layer name "${node.name}" in ${this.modelName}`)
    this.names.add(node.name)
    this.nodes.push(node)
    return node.name
  }

  input(shape: [number, number, number], name = 'input'): string {
    return this.add({ op: 'input', className: 'InputLayer', name, inputs: [], shape })
  }

  conv(name: string, from: string, o: ConvOptions): string {
    return this.add({
      op: 'conv',
      className: 'Conv2D',
      variant: 'standard',
      name,
      inputs: [from],
      filters: o.filters,
      kernel: pair(o.kernel),
      strides: pair(o.strides ?? 1),
      dilation: pair(o.dilation ?? 1),
      padding: o.padding ?? 'same',
      activation: o.activation ?? 'linear',
      useBias: o.useBias ?? true
    })
  }

  maxPool(name: string, from: string, pool: number, strides = pool, padding: PaddingMode = 'valid'): string {
    return this.add({ op: 'pool', className: 'MaxPooling2D', mode: 'max', name, inputs: [from], pool: pair(pool), strides: pair(strides), padding })
  }

  avgPool(name: string, from: string, pool: number, strides = pool, padding: PaddingMode = 'valid'): string {
    return this.add({ op: 'pool', className: 'AveragePooling2D', mode: 'avg', name, inputs: [from], pool: pair(pool), strides: pair(strides), padding })
  }

  globalAvgPool(name: string, from: string): string {
    return this.add({ op: 'globalPool', className: 'GlobalAveragePooling2D', mode: 'avg', name, inputs: [from] })
  }

  zeroPad(name: string, from: string, amount: number): string {
    return this.add({ op: 'zeroPad', className: 'ZeroPadding2D', name, inputs: [from], pad: [[amount, amount], [amount, amount]] })
  }

  batchNorm(name: string, from: string): string {
    return this.add({ op: 'batchNorm', className: 'BatchNormalization', name, inputs: [from], center: true, scale: true })
  }

  activation(name: string, from: string, activation: string): string {
    return this.add({ op: 'activation', className: 'Activation', name, inputs: [from], activation })
  }

  flatten(name: string, from: string): string {
    return this.add({ op: 'flatten', className: 'Flatten', name, inputs: [from] })
  }

  dense(name: string, from: string, units: number, activation: string): string {
    return this.add({ op: 'dense', className: 'Dense', name, inputs: [from], units, activation, useBias: true })
  }

  addMerge(name: string, from: string[]): string {
    return this.add({ op: 'merge', className: 'Add', mode: 'add', name, inputs: from })
  }

  finish(output: string): ModelPlan {
    return { name: this.modelName, nodes: [...this.nodes], output }
  }
}

/** What every architecture family needs to lay out its plan. */
export interface PlanArgs {
  input: { height: number; width: number; channels: number }
  numOutputs: number
  outputActivation: string
  widthMultiplier: number
  /** VGG only: batch normalisation after each conv's ReLU. */
  batchNorm?: boolean
}

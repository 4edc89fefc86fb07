import * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../src-shared/errors'
import { pair, type MergeMode, type ModelPlan, type Padding2D, type Pair, type PaddingMode, type PlanGeometry, type PlanNode } from './layerPlan'

type Config = Record<string, unknown>

const elementwise = new Set(['ReLU', 'LeakyReLU', 'ELU', 'PReLU', 'ThresholdedReLU', 'Softmax', 'Rescaling'])
const dropouts = new Set(['Dropout', 'SpatialDropout1D', 'GaussianDropout', 'GaussianNoise', 'AlphaDropout'])
const merges: Record<string, MergeMode> = {
  Add: 'add',
  Concatenate: 'concat',
  Multiply: 'multiply',
  Average: 'average',
  Maximum: 'maximum',
  Minimum: 'minimum'
}

function weightCount(weights: tf.LayerVariable[]): number {
  return weights.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0)
}

const toPair = (v: unknown, fallback: number): Pair => (v === null || v === undefined ? [fallback, fallback] : pair(v as number | Pair))

/** The geometric part of a layer, read from its config; null when the layer is not modelled. */
function describe(className: string, c: Config): PlanGeometry | null {
  const channelsLast = c.dataFormat === undefined || c.dataFormat === 'channelsLast'
  switch (className) {
    case 'Conv2D':
    case 'DepthwiseConv2D':
    case 'SeparableConv2D': {
      if (!channelsLast || (c.padding !== 'same' && c.padding !== 'valid')) return null
      const variant = className === 'Conv2D' ? 'standard' : className === 'DepthwiseConv2D' ? 'depthwise' : 'separable'
      return {
        op: 'conv',
        variant,
        filters: variant === 'depthwise' ? (c.depthMultiplier as number) : (c.filters as number),
        depthMultiplier: variant === 'separable' ? (c.depthMultiplier as number) : undefined,
        kernel: toPair(c.kernelSize, 1),
        strides: toPair(c.strides, 1),
        dilation: toPair(c.dilationRate, 1),
        padding: c.padding as PaddingMode,
        activation: String(c.activation ?? 'linear'),
        useBias: c.useBias !== false
      }
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      if (!channelsLast) return null
      const pool = toPair(c.poolSize, 2)
      const strides = c.strides === null || c.strides === undefined ? pool : toPair(c.strides, 1)
      return { op: 'pool', mode: className === 'MaxPooling2D' ? 'max' : 'avg', pool, strides, padding: c.padding as PaddingMode }
    }
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D':
      return channelsLast && !c.keepDims ? { op: 'globalPool', mode: className === 'GlobalMaxPooling2D' ? 'max' : 'avg' } : null
    case 'ZeroPadding2D':
      return channelsLast ? { op: 'zeroPad', pad: c.padding as Padding2D } : null
    case 'Cropping2D':
      return channelsLast ? { op: 'crop', crop: c.cropping as Padding2D } : null
    case 'BatchNormalization':
    case 'LayerNormalization': {
      const axis = Array.isArray(c.axis) ? c.axis : [c.axis]
      if (!axis.every((a) => a === -1 || a === 3)) return null
      return { op: 'batchNorm', center: c.center !== false, scale: c.scale !== false }
    }
    case 'Activation':
      return { op: 'activation', activation: String(c.activation) }
    case 'Flatten':
      return { op: 'flatten' }
    case 'Dense':
      return { op: 'dense', units: c.units as number, activation: String(c.activation ?? 'linear'), useBias: c.useBias !== false }
    default:
      if (elementwise.has(className)) return { op: 'activation', activation: className }
      if (dropouts.has(className)) return { op: 'dropout', rate: Number(c.rate ?? 0) }
      if (className in merges) {
        const axis = c.axis ?? -1
        if (className === 'Concatenate' && axis !== -1 && axis !== 3) return null
        return { op: 'merge', mode: merges[className] }
      }
      return null
  }
}

/**
 * Reads a tfjs LayersModel's graph back into a plan by walking from the outputs through each
 * tensor's source layer and inbound node, so branches, merges and shared layers come out as
 * they are wired, not as model.layers happens to list them. Nested models (a Keras base model
 * used as a layer) are inlined, so their convolutions get rows of their own.
 * The plan describes the model for analysis; it is not meant to be rebuilt.
 */
export function planFromModel(model: tf.LayersModel): ModelPlan {
  const nodes: PlanNode[] = []
  const used = new Set<string>()
  const memo = new Map<string, string>()

  const uniqueName = (wanted: string, container: string): string => {
    let name = used.has(wanted) && container ? `${container}/${wanted}` : wanted
    for (let i = 1; used.has(name); i++) name = `${wanted}_${i}`
    used.add(name)
    return name
  }

  interface Scope {
    /** Separates repeated calls of the same nested model. */
    key: string
    /** The nested model's name, to prefix inner names that clash with outer ones. */
    container: string
    /** A nested model's input tensors → the outer layers feeding it. */
    aliases: Map<number, string>
  }

  const visit = (tensor: tf.SymbolicTensor, scope: Scope): string => {
    const aliased = scope.aliases.get(tensor.id)
    if (aliased !== undefined) return aliased
    const layer = tensor.sourceLayer
    const key = `${scope.key}|${layer.name}#${tensor.nodeIndex}`
    const known = memo.get(key)
    if (known !== undefined) return known

    const className = layer.getClassName()
    const inbound = layer.inboundNodes[tensor.nodeIndex]
    const inputs = className === 'InputLayer' ? [] : inbound.inputTensors.map((t) => visit(t, scope))

    if (layer instanceof tf.LayersModel) {
      const inner: Scope = {
        key: `${key}/`,
        container: layer.name,
        aliases: new Map(layer.inputs.map((t, i) => [t.id, inputs[i]] as [number, string]))
      }
      const out = visit(layer.outputs[tensor.tensorIndex ?? 0], inner)
      memo.set(key, out)
      return out
    }

    const name = uniqueName(tensor.nodeIndex > 0 ? `${layer.name}_${tensor.nodeIndex}` : layer.name, scope.container)
    const config = layer.getConfig() as Config
    const params = { total: weightCount(layer.weights), trainable: layer.trainable ? weightCount(layer.trainableWeights) : 0 }
    const base = { name, inputs, className, trainable: layer.trainable, params }
    if (className === 'InputLayer') {
      nodes.push({ ...base, op: 'input', shape: (config.batchInputShape as (number | null)[]).slice(1) })
    } else {
      const geometry = describe(className, config)
      const outShape = inbound.outputShapes as (number | null)[] | (number | null)[][]
      const first = Array.isArray(outShape[0]) ? (outShape[0] as (number | null)[]) : (outShape as (number | null)[])
      nodes.push((geometry ? { ...base, ...geometry } : { ...base, op: 'other', outputShape: first.slice(1) }) as PlanNode)
    }
    memo.set(key, name)
    return name
  }

  if (model.outputs.length !== 1) {
    throw new ApiError('bad_input', `model "${model.name}" has ${model.outputs.length} outputs; Featurelens reads single-output models`)
  }
  const output = visit(model.outputs[0], { key: '', container: '', aliases: new Map() })
  return { name: model.name, nodes, output }
}

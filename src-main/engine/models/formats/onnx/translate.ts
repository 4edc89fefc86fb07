import { ApiError } from '../../../../../src-shared/errors'
import type { Preprocess } from '../../../../../src-shared/model'
import { LayersGraph, type GraphWeight } from '../../layersGraph'
import { checkDeclaredInput, MAX_INPUT_SIDE } from '../tfjs/modelJson'
import { PREPROCESS_LAYER, preprocessWeights } from '../../preprocess'
import { NodeContext, type GraphState, type Value } from './nodeContext'
import type { OnnxModel } from './onnxProto'
import { onnxOps, supportedOnnxOps } from './ops'

export interface OnnxTranslation {
  topology: Record<string, unknown>
  weights: Map<string, GraphWeight>
  /** ONNX tensor name -> the tfjs layer whose output it is. */
  tensorLayers: Map<string, string>
  input: { height: number; width: number; channels: number } | { features: number }
  outputLayer: string
  /** The preprocessing built in as the first layer, if any. */
  preprocess: Preprocess | null
}

export interface TranslateOptions {
  /** The input side to use when the graph leaves height and width open. */
  inputSize?: number
  name: string
  /** A fixed first layer that maps 0..1 images to the model's input (see preprocess.ts), or how to choose it from the channels. */
  preprocess?: Preprocess | ((channels: number) => Preprocess)
}

/**
 * Translates an ONNX CNN graph into a tfjs functional model (as data; see LayersGraph). Every
 * operator is checked first: an unsupported one is named with its node and the opset, and
 * nothing is built.
 */
export function onnxToLayers(model: OnnxModel, path: string, options: TranslateOptions): OnnxTranslation {
  const unsupported = model.nodes.filter((n) => (n.domain && n.domain !== 'ai.onnx') || !Object.hasOwn(onnxOps, n.opType))
  if (unsupported.length) {
    const list = unsupported.slice(0, 5).map((n) => `${n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.` : ''}${n.opType} (node "${n.name}")`)
    throw new ApiError(
      'bad_input',
      `${path}: Featurelens cannot translate ${list.join(', ')}${unsupported.length > 5 ? ` and ${unsupported.length - 5} more` : ''} at opset ${model.opset}; it translates ${supportedOnnxOps.filter((o) => o !== 'Constant').join(', ')}`
    )
  }
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new ApiError('bad_input', `${path} has ${model.inputs.length} inputs and ${model.outputs.length} outputs; Featurelens opens models with one image input and one output`)
  }
  return translateGraph(model, path, options)
}

/** The largest side of a map inside the graph (padding may grow the input's). */
const MAX_MAP_SIDE = 2 * MAX_INPUT_SIDE

/** The graph's one input as a tfjs input shape ([H, W, C] or [F]); open sides take the given size. */
function inputOf(model: OnnxModel, path: string, inputSize: number | undefined): { shape: number[]; info: OnnxTranslation['input'] } {
  const input = model.inputs[0]
  const dims = input.dims ?? []
  if (dims.length === 4) {
    const [, c, h, w] = dims
    if (c === null) throw new ApiError('bad_input', `${path}: input "${input.name}" leaves its channels open; Featurelens needs a fixed number of channels`)
    if ((h === null || w === null) && inputSize === undefined) {
      throw new ApiError('bad_input', `${path}: input "${input.name}" leaves its height and width open; give the input size (--input-size)`)
    }
    const shape = [h ?? inputSize ?? 0, w ?? inputSize ?? 0, c]
    return { shape, info: { height: shape[0], width: shape[1], channels: c } }
  }
  if (dims.length === 2 && dims[1] !== null) return { shape: [dims[1]], info: { features: dims[1] } }
  throw new ApiError('bad_input', `${path}: input "${input.name}" has the shape [${dims.map((d) => d ?? '?').join(', ')}]; Featurelens opens image models with an N×C×H×W input`)
}

/** Each node through its translator, in the graph's order, after the input (and preprocessing) layer. */
function translateGraph(model: OnnxModel, path: string, options: TranslateOptions): OnnxTranslation {
  const graph = new LayersGraph()
  const values = new Map<string, Value>()
  const uses = new Map<string, number>()
  for (const [name, tensor] of model.initializers) values.set(name, { kind: 'const', tensor })
  for (const n of model.nodes) for (const i of n.inputs) if (i) uses.set(i, (uses.get(i) ?? 0) + 1)
  for (const o of model.outputs) uses.set(o.name, (uses.get(o.name) ?? 0) + 1)
  const state: GraphState = { model, path, graph, values, uses }

  const input = model.inputs[0]
  const { shape: inputShape, info } = inputOf(model, path, options.inputSize)
  checkDeclaredInput([...inputShape], path)
  const inputRef = graph.input(input.name || 'input', inputShape)
  let first = inputRef
  let preprocess: Preprocess | null = null
  if (options.preprocess && inputShape.length === 3) {
    const c = inputShape[2]
    preprocess = typeof options.preprocess === 'function' ? options.preprocess(c) : options.preprocess
    const { kernel, bias } = preprocessWeights(preprocess, c)
    first = graph.add('Conv2D', PREPROCESS_LAYER, { filters: c, kernel_size: [1, 1], strides: [1, 1], padding: 'valid', data_format: 'channels_last', activation: 'linear', use_bias: true, trainable: false }, [inputRef], {
      kernel: { shape: [1, 1, c, c], data: kernel },
      bias: { shape: [c], data: bias }
    })
  }
  values.set(input.name, { kind: 'act', ref: first, shape: inputShape, nonNegative: false })

  const tensorLayers = new Map<string, string>()
  for (const node of model.nodes) {
    const context = new NodeContext(state, node)
    const out = onnxOps[node.opType](context)
    if (out.kind === 'act' && out.shape.length === 3 && (out.shape[0] > MAX_MAP_SIDE || out.shape[1] > MAX_MAP_SIDE)) {
      context.fail(`makes a ${out.shape[0]}×${out.shape[1]} map, larger than Featurelens translates (at most ${MAX_MAP_SIDE} px a side)`)
    }
    values.set(node.outputs[0], out)
    if (out.kind === 'act') tensorLayers.set(node.outputs[0], out.ref.layer)
  }
  const output = values.get(model.outputs[0].name)
  if (!output || output.kind !== 'act') throw new ApiError('bad_input', `${path}: the graph's output "${model.outputs[0].name}" is not computed from its input`)
  return { topology: graph.topology(options.name, [inputRef], [output.ref]), weights: graph.weights, tensorLayers, input: info, outputLayer: output.ref.layer, preprocess }
}

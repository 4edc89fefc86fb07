import { ApiError } from '../../../../../src-shared/errors'
import type { Preprocess } from '../../../../../src-shared/model'
import { LayersGraph, type GraphWeight, type LayerRef } from '../../layersGraph'
import { checkDeclaredInput } from '../tfjs/modelJson'
import { PREPROCESS_LAYER, preprocessWeights } from '../../preprocess'
import type { OnnxModel, OnnxNode, OnnxTensor } from './onnxProto'
import { convKernel, depthwiseKernel, groupedKernel, padsAreSame, transpose2d, transposeConvKernel, windowOutput, type Window } from './onnxWeights'

/** Operators translated into tfjs layers (Constant, Identity and Dropout in eval are folded away). */
export const supportedOnnxOps = [
  'Conv', 'ConvTranspose', 'BatchNormalization', 'Relu', 'Clip', 'Sigmoid', 'Tanh', 'LeakyRelu', 'MaxPool', 'AveragePool',
  'GlobalAveragePool', 'Flatten', 'Reshape', 'Gemm', 'MatMul', 'Add', 'Concat', 'Dropout', 'Softmax', 'Identity', 'Constant', 'Pad'
] as const

/** A tensor flowing through the graph: an activation (NHWC [H, W, C] or [F]) or a constant. */
type Value =
  | { kind: 'act'; ref: LayerRef; shape: number[]; nonNegative: boolean; squeezed?: boolean; biasOwner?: LayerRef }
  | { kind: 'const'; tensor: OnnxTensor }

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

/** A readable layer name from a torch scoped node name: "/layer2/layer2.1/conv1/Conv" -> "layer2.1.conv1". */
export function layerNameOf(node: OnnxNode): string {
  const parts = node.name.split('/').filter(Boolean)
  if (parts.length > 1 && parts[parts.length - 1].split('_')[0] === node.opType) parts.pop()
  const path: string[] = []
  for (const part of parts) {
    if (path.length && part.startsWith(`${path[path.length - 1]}.`)) path[path.length - 1] = part
    else path.push(part)
  }
  return path.join('.') || node.opType
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
  const unsupported = model.nodes.filter((n) => (n.domain && n.domain !== 'ai.onnx') || !(supportedOnnxOps as readonly string[]).includes(n.opType))
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
  return new Translator(model, path, options).run()
}

class Translator {
  private readonly graph = new LayersGraph()
  private readonly values = new Map<string, Value>()
  private readonly uses = new Map<string, number>()
  private readonly tensorLayers = new Map<string, string>()
  private node!: OnnxNode

  constructor(private readonly model: OnnxModel, private readonly path: string, private readonly options: TranslateOptions) {
    for (const [name, tensor] of model.initializers) this.values.set(name, { kind: 'const', tensor })
    for (const n of model.nodes) for (const i of n.inputs) if (i) this.uses.set(i, (this.uses.get(i) ?? 0) + 1)
    for (const o of model.outputs) this.uses.set(o.name, (this.uses.get(o.name) ?? 0) + 1)
  }

  private fail(problem: string): never {
    throw new ApiError('bad_input', `${this.path}: node "${this.node.name}" (${this.node.opType}, opset ${this.model.opset}) ${problem}`)
  }

  run(): OnnxTranslation {
    const input = this.model.inputs[0]
    const dims = input.dims ?? []
    let inputShape: number[]
    let inputInfo: OnnxTranslation['input']
    if (dims.length === 4) {
      const [, c, h, w] = dims
      const size = this.options.inputSize
      if (c === null) throw new ApiError('bad_input', `${this.path}: input "${input.name}" leaves its channels open; Featurelens needs a fixed number of channels`)
      if ((h === null || w === null) && size === undefined) {
        throw new ApiError('bad_input', `${this.path}: input "${input.name}" leaves its height and width open; give the input size (--input-size)`)
      }
      inputShape = [h ?? (size as number), w ?? (size as number), c]
      inputInfo = { height: inputShape[0], width: inputShape[1], channels: c }
    } else if (dims.length === 2 && dims[1] !== null) {
      inputShape = [dims[1]]
      inputInfo = { features: dims[1] }
    } else {
      throw new ApiError('bad_input', `${this.path}: input "${input.name}" has the shape [${dims.map((d) => d ?? '?').join(', ')}]; Featurelens opens image models with an N×C×H×W input`)
    }
    checkDeclaredInput([...inputShape], this.path)
    const inputRef = this.graph.input(input.name || 'input', inputShape)
    let first = inputRef
    let preprocess: Preprocess | null = null
    if (this.options.preprocess && inputShape.length === 3) {
      const c = inputShape[2]
      preprocess = typeof this.options.preprocess === 'function' ? this.options.preprocess(c) : this.options.preprocess
      const { kernel, bias } = preprocessWeights(preprocess, c)
      first = this.graph.add('Conv2D', PREPROCESS_LAYER, { filters: c, kernel_size: [1, 1], strides: [1, 1], padding: 'valid', data_format: 'channels_last', activation: 'linear', use_bias: true, trainable: false }, [inputRef], {
        kernel: { shape: [1, 1, c, c], data: kernel },
        bias: { shape: [c], data: bias }
      })
    }
    this.values.set(input.name, { kind: 'act', ref: first, shape: inputShape, nonNegative: false })

    for (const node of this.model.nodes) {
      this.node = node
      const out = this.translate(node)
      if (out === null) continue
      this.values.set(node.outputs[0], out)
      if (out.kind === 'act') this.tensorLayers.set(node.outputs[0], out.ref.layer)
    }
    const output = this.values.get(this.model.outputs[0].name)
    if (!output || output.kind !== 'act') throw new ApiError('bad_input', `${this.path}: the graph's output "${this.model.outputs[0].name}" is not computed from its input`)
    return {
      topology: this.graph.topology(this.options.name, [inputRef], [output.ref]),
      weights: this.graph.weights,
      tensorLayers: this.tensorLayers,
      input: inputInfo,
      outputLayer: output.ref.layer,
      preprocess
    }
  }

  // ---- helpers -------------------------------------------------------------------------

  private attr(name: string) {
    return this.node.attributes.get(name)
  }
  private int(name: string, fallback: number): number {
    return this.attr(name)?.i ?? fallback
  }
  private float(name: string, fallback: number): number {
    return this.attr(name)?.f ?? fallback
  }
  private ints(name: string, fallback: number[]): number[] {
    const v = this.attr(name)?.ints
    return v && v.length ? v : fallback
  }

  private value(index: number): Value {
    const name = this.node.inputs[index]
    const v = name ? this.values.get(name) : undefined
    if (!v) this.fail(`reads "${name}", which no earlier node computes`)
    return v
  }
  private act(index: number): Extract<Value, { kind: 'act' }> {
    const v = this.value(index)
    if (v.kind !== 'act') this.fail(`takes a constant as input ${index + 1}, where Featurelens needs the image's activations`)
    return v
  }
  private constant(index: number, what: string): OnnxTensor {
    const v = this.value(index)
    if (v.kind !== 'const') this.fail(`computes its ${what} from the input; Featurelens needs it stored in the model`)
    return v.tensor
  }
  private optionalConstant(index: number, what: string): OnnxTensor | null {
    return this.node.inputs[index] ? this.constant(index, what) : null
  }
  private floats(t: OnnxTensor): Float32Array {
    return t.data instanceof Float32Array ? t.data : Float32Array.from(t.data)
  }

  /** A 4-D activation, reshaping a squeezed [C] (after global pooling) back to [1, 1, C]. */
  private image(index: number): Extract<Value, { kind: 'act' }> {
    const v = this.act(index)
    if (v.shape.length === 3) return v
    if (v.squeezed) {
      const ref = this.graph.add('Reshape', `${layerNameOf(this.node)}_unflatten`, { target_shape: [1, 1, v.shape[0]] }, [v.ref])
      return { kind: 'act', ref, shape: [1, 1, v.shape[0]], nonNegative: v.nonNegative }
    }
    return this.fail(`needs an N×C×H×W input but gets [N, ${v.shape.join(', ')}]`)
  }

  private layer(className: string, config: Record<string, unknown>, inputs: LayerRef[], weights?: Record<string, GraphWeight>, suffix = ''): LayerRef {
    return this.graph.add(className, `${layerNameOf(this.node)}${suffix}`, config, inputs, weights)
  }

  private window(kernel: number[], x: number[]): Window {
    const strides = this.ints('strides', [1, 1])
    const dilations = this.ints('dilations', [1, 1])
    if (kernel.length !== 2) this.fail(`has a ${kernel.length}-D window; Featurelens translates 2-D convolutions and poolings`)
    let pads = this.ints('pads', [0, 0, 0, 0])
    const autoPad = this.attr('auto_pad')?.s ?? 'NOTSET'
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      const side = (size: number, k: number, s: number, d: number) => {
        const total = Math.max(0, (Math.ceil(size / s) - 1) * s + (k - 1) * d + 1 - size)
        const small = Math.floor(total / 2)
        return autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small]
      }
      const [t, b] = side(x[0], kernel[0], strides[0], dilations[0])
      const [l, r] = side(x[1], kernel[1], strides[1], dilations[1])
      pads = [t, l, b, r]
    } else if (autoPad === 'VALID') pads = [0, 0, 0, 0]
    return { kernel: [kernel[0], kernel[1]], strides: [strides[0], strides[1]], dilations: [dilations[0], dilations[1]], pads: [pads[0], pads[1], pads[2], pads[3]] }
  }

  /**
   * The padding mode for a windowed layer: tfjs's 'same' where it adds exactly the ONNX pads
   * (and `sameOk`: it pads like the operator does), else a ZeroPadding2D in front where padding
   * with zeros is exact (`zeroOk`).
   */
  private padded(x: Extract<Value, { kind: 'act' }>, w: Window, zeroOk: boolean, sameOk: boolean): { ref: LayerRef; padding: 'valid' | 'same' } {
    const [pt, pl, pb, pr] = w.pads
    const [h, wd] = x.shape
    if (pt === 0 && pl === 0 && pb === 0 && pr === 0) return { ref: x.ref, padding: 'valid' }
    if (sameOk && padsAreSame(w, h, wd)) return { ref: x.ref, padding: 'same' }
    if (!zeroOk) this.fail(`pads [${w.pads.join(', ')}] in a way tfjs cannot reproduce exactly for a ${h}×${wd} input`)
    const ref = this.layer('ZeroPadding2D', { padding: [[pt, pb], [pl, pr]], data_format: 'channels_last' }, [x.ref], undefined, '_pad')
    return { ref, padding: 'valid' }
  }

  private outSize(w: Window, h: number, wd: number, ceil = false): [number, number] {
    const [pt, pl, pb, pr] = w.pads
    return [windowOutput(h, w.kernel[0], w.strides[0], w.dilations[0], pt, pb, ceil), windowOutput(wd, w.kernel[1], w.strides[1], w.dilations[1], pl, pr, ceil)]
  }

  private usedOnce(name: string): boolean {
    return (this.uses.get(name) ?? 0) === 1
  }

  // ---- operators -----------------------------------------------------------------------

  private translate(node: OnnxNode): Value | null {
    switch (node.opType) {
      case 'Constant': {
        const t = this.attr('value')?.t
        if (!t) this.fail('has no tensor "value"; only tensor constants are supported')
        return { kind: 'const', tensor: t }
      }
      case 'Identity':
        return this.value(0)
      case 'Dropout': {
        if (node.outputs[1] && (this.uses.get(node.outputs[1]) ?? 0) > 0) this.fail('uses its mask output, which has no tfjs equivalent')
        const ratio = node.inputs[1] ? this.floats(this.constant(1, 'ratio'))[0] : this.float('ratio', 0.5)
        const x = this.act(0)
        return { ...x, ref: this.layer('Dropout', { rate: ratio }, [x.ref]), biasOwner: undefined }
      }
      case 'Conv':
        return this.conv()
      case 'ConvTranspose':
        return this.convTranspose()
      case 'BatchNormalization':
        return this.batchNorm()
      case 'Relu':
      case 'Sigmoid':
      case 'Tanh': {
        const x = this.act(0)
        const activation = node.opType.toLowerCase()
        return { ...x, ref: this.layer('Activation', { activation }, [x.ref]), nonNegative: node.opType !== 'Tanh', biasOwner: undefined }
      }
      case 'LeakyRelu': {
        const x = this.act(0)
        return { ...x, ref: this.layer('LeakyReLU', { alpha: this.float('alpha', 0.01) }, [x.ref]), nonNegative: false, biasOwner: undefined }
      }
      case 'Clip':
        return this.clip()
      case 'Softmax': {
        const x = this.act(0)
        const axis = this.int('axis', this.model.opset >= 13 ? -1 : 1)
        if (axis !== 1 && !(axis === -1 && x.shape.length === 1)) this.fail(`takes the softmax over axis ${axis}; Featurelens translates it over the channels (axis 1)`)
        return { ...x, ref: this.layer('Softmax', { axis: -1 }, [x.ref]), nonNegative: true, biasOwner: undefined }
      }
      case 'MaxPool':
      case 'AveragePool':
        return this.pool()
      case 'GlobalAveragePool': {
        const x = this.image(0)
        const ref = this.layer('GlobalAveragePooling2D', { data_format: 'channels_last' }, [x.ref])
        return { kind: 'act', ref, shape: [x.shape[2]], nonNegative: x.nonNegative, squeezed: true }
      }
      case 'Flatten': {
        if (this.int('axis', 1) !== 1) this.fail(`flattens from axis ${this.int('axis', 1)}; Featurelens translates Flatten(axis=1)`)
        return this.flatten(this.act(0))
      }
      case 'Reshape':
        return this.reshape()
      case 'Gemm':
        return this.gemm()
      case 'MatMul':
        return this.matmul()
      case 'Add':
        return this.add()
      case 'Concat':
        return this.concat()
      case 'Pad':
        return this.pad()
      default:
        return this.fail('is not supported')
    }
  }

  private conv(): Value {
    const x = this.image(0)
    const wt = this.constant(1, 'weights')
    const bias = this.optionalConstant(2, 'bias')
    const [m, cg, kh, kw] = wt.dims
    const channels = x.shape[2]
    const groups = this.int('group', 1)
    if (wt.dims.length !== 4) this.fail(`has weights of shape [${wt.dims.join(', ')}]; Featurelens translates 2-D convolutions`)
    if (cg * groups !== channels) this.fail(`has weights for ${cg * groups} input channels but gets ${channels}`)
    const w = this.window(this.ints('kernel_shape', [kh, kw]), x.shape)
    if ((w.dilations[0] > 1 || w.dilations[1] > 1) && (w.strides[0] > 1 || w.strides[1] > 1)) this.fail('combines dilation with a stride, which tfjs does not support')
    const p = this.padded(x, w, true, true)
    const [oh, ow] = this.outSize(w, x.shape[0], x.shape[1])
    const data = this.floats(wt)
    const biasData = bias ? this.floats(bias) : new Float32Array(m)
    const common = { kernel_size: w.kernel, strides: w.strides, padding: p.padding, data_format: 'channels_last', dilation_rate: w.dilations, activation: 'linear', use_bias: true }
    let ref: LayerRef
    if (groups === 1) {
      ref = this.layer('Conv2D', { ...common, filters: m }, [p.ref], { kernel: { shape: [kh, kw, cg, m], data: convKernel(data, wt.dims) }, bias: { shape: [m], data: biasData } })
    } else if (groups === channels && cg === 1) {
      ref = this.layer('DepthwiseConv2D', { ...common, depth_multiplier: m / channels }, [p.ref], {
        depthwise_kernel: { shape: [kh, kw, channels, m / channels], data: depthwiseKernel(data, wt.dims, channels) },
        bias: { shape: [m], data: biasData }
      })
    } else {
      ref = this.layer('Conv2D', { ...common, filters: m }, [p.ref], { kernel: { shape: [kh, kw, channels, m], data: groupedKernel(data, wt.dims, groups) }, bias: { shape: [m], data: biasData } })
    }
    return { kind: 'act', ref, shape: [oh, ow, m], nonNegative: false, biasOwner: ref }
  }

  private convTranspose(): Value {
    const x = this.image(0)
    const wt = this.constant(1, 'weights')
    const bias = this.optionalConstant(2, 'bias')
    const [c, m, kh, kw] = wt.dims
    if (this.int('group', 1) !== 1) this.fail('is a grouped transposed convolution, which tfjs does not have')
    if (c !== x.shape[2]) this.fail(`has weights for ${c} input channels but gets ${x.shape[2]}`)
    const w = this.window(this.ints('kernel_shape', [kh, kw]), x.shape)
    const outPad = this.ints('output_padding', [0, 0])
    if (w.pads.some((p) => p !== 0) || outPad.some((p) => p !== 0) || w.dilations.some((d) => d !== 1) || this.attr('output_shape')) {
      this.fail('uses pads, output padding, an output shape or dilation; Featurelens translates transposed convolutions without them')
    }
    const [h, wd] = x.shape
    const ref = this.layer('Conv2DTranspose', { filters: m, kernel_size: w.kernel, strides: w.strides, padding: 'valid', data_format: 'channels_last', activation: 'linear', use_bias: true }, [x.ref], {
      kernel: { shape: [kh, kw, m, c], data: transposeConvKernel(this.floats(wt), wt.dims) },
      bias: { shape: [m], data: bias ? this.floats(bias) : new Float32Array(m) }
    })
    return { kind: 'act', ref, shape: [(h - 1) * w.strides[0] + kh, (wd - 1) * w.strides[1] + kw, m], nonNegative: false, biasOwner: ref }
  }

  private batchNorm(): Value {
    const x = this.act(0)
    const [scale, b, mean, variance] = [1, 2, 3, 4].map((i) => this.floats(this.constant(i, 'statistics')))
    const channels = x.shape[x.shape.length - 1]
    if (scale.length !== channels) this.fail(`has ${scale.length} scales for ${channels} channels`)
    const ref = this.layer('BatchNormalization', { axis: -1, epsilon: this.float('epsilon', 1e-5), momentum: this.float('momentum', 0.9), center: true, scale: true }, [x.ref], {
      gamma: { shape: [channels], data: scale },
      beta: { shape: [channels], data: b },
      moving_mean: { shape: [channels], data: mean },
      moving_variance: { shape: [channels], data: variance }
    })
    return { ...x, ref, nonNegative: false, biasOwner: undefined }
  }

  private clip(): Value {
    const x = this.act(0)
    const bound = (index: number, attr: string, fallback: number) => {
      if (this.model.opset >= 11) return this.node.inputs[index] ? this.floats(this.constant(index, attr))[0] : fallback
      return this.float(attr, fallback)
    }
    const lo = bound(1, 'min', -Infinity)
    const hi = bound(2, 'max', Infinity)
    if (lo !== 0) this.fail(`clips to [${lo}, ${hi}]; Featurelens translates Clip with a lower bound of 0 (ReLU, ReLU6)`)
    const ref = Number.isFinite(hi) ? this.layer('ReLU', { max_value: hi }, [x.ref]) : this.layer('Activation', { activation: 'relu' }, [x.ref])
    return { ...x, ref, nonNegative: true, biasOwner: undefined }
  }

  private pool(): Value {
    const x = this.image(0)
    const w = this.window(this.ints('kernel_shape', []), x.shape)
    if (w.dilations.some((d) => d !== 1)) this.fail('uses a dilated window, which tfjs pooling does not have')
    const ceil = this.int('ceil_mode', 0) === 1
    const [oh, ow] = this.outSize(w, x.shape[0], x.shape[1], ceil)
    const [fh, fw] = this.outSize(w, x.shape[0], x.shape[1], false)
    if (oh !== fh || ow !== fw) this.fail('rounds its output size up (ceil_mode), which tfjs pooling does not do')
    const isMax = this.node.opType === 'MaxPool'
    // tfjs's 'same' ignores the pads (as ONNX's max and an average without count_include_pad
    // do); zeros are exact where the max never falls below 0, or where the average counts pads.
    const countsPads = this.int('count_include_pad', 0) === 1
    const p = isMax ? this.padded(x, w, x.nonNegative, true) : this.padded(x, w, countsPads, !countsPads)
    const ref = this.layer(isMax ? 'MaxPooling2D' : 'AveragePooling2D', { pool_size: w.kernel, strides: w.strides, padding: p.padding, data_format: 'channels_last' }, [p.ref])
    return { kind: 'act', ref, shape: [oh, ow, x.shape[2]], nonNegative: x.nonNegative }
  }

  /** ONNX flattens C, H, W in that order; tfjs would flatten H, W, C, so channels move first. */
  private flatten(x: Extract<Value, { kind: 'act' }>): Value {
    if (x.shape.length === 1) return { ...x, squeezed: undefined }
    const [h, w, c] = x.shape
    let source = x.ref
    if (h * w > 1 && c > 1) source = this.layer('Permute', { dims: [3, 1, 2] }, [x.ref], undefined, '_chw')
    const ref = this.layer('Flatten', { data_format: 'channels_last' }, [source])
    return { kind: 'act', ref, shape: [h * w * c], nonNegative: x.nonNegative }
  }

  private reshape(): Value {
    const x = this.act(0)
    const target = this.constant(1, 'target shape').data
    const logical = x.squeezed ? [x.shape[0], 1, 1] : x.shape.length === 3 ? [x.shape[2], x.shape[0], x.shape[1]] : x.shape
    const total = logical.reduce((n, d) => n * d, 1)
    const dims = Array.from(target, (d, i) => (d === 0 ? (i === 0 ? -2 : logical[i - 1]) : d))
    // The batch axis: 0 (copy) or -1 with every other dimension fixed.
    if (dims.length === 2 && (dims[0] === -2 || dims[0] === -1) && (dims[1] === -1 || dims[1] === total)) return this.flatten(x)
    if (dims.length === 2 && dims[1] === -1 && dims[0] !== -2) this.fail(`reshapes to [${Array.from(target).join(', ')}], which mixes the batch axis; Featurelens translates reshapes to [N, features]`)
    if (dims.length === 4 && x.shape.length === 1 && dims[2] === 1 && dims[3] === 1 && (dims[1] === total || dims[1] === -1)) {
      const ref = this.layer('Reshape', { target_shape: [1, 1, total] }, [x.ref])
      return { kind: 'act', ref, shape: [1, 1, total], nonNegative: x.nonNegative }
    }
    return this.fail(`reshapes to [${Array.from(target).join(', ')}]; Featurelens translates reshapes to [N, features] and [N, C, 1, 1]`)
  }

  private dense(x: Extract<Value, { kind: 'act' }>, kernel: Float32Array, k: number, m: number, bias: Float32Array): Value {
    if (x.shape.length !== 1) this.fail(`multiplies a [N, ${x.shape.join(', ')}] input; Featurelens translates matrix products of flattened features`)
    if (x.shape[0] !== k) this.fail(`has weights for ${k} inputs but gets ${x.shape[0]}`)
    const ref = this.layer('Dense', { units: m, activation: 'linear', use_bias: true }, [x.ref], { kernel: { shape: [k, m], data: kernel }, bias: { shape: [m], data: bias } })
    return { kind: 'act', ref, shape: [m], nonNegative: false, biasOwner: ref }
  }

  private gemm(): Value {
    const x = this.act(0)
    const b = this.constant(1, 'weights')
    const c = this.optionalConstant(2, 'bias')
    if (this.int('transA', 0) !== 0) this.fail('transposes its input (transA), which Featurelens does not translate')
    const alpha = this.float('alpha', 1)
    const beta = this.float('beta', 1)
    const transB = this.int('transB', 0) === 1
    const [rows, cols] = b.dims
    const [k, m] = transB ? [cols, rows] : [rows, cols]
    let kernel = transB ? transpose2d(this.floats(b), rows, cols) : Float32Array.from(this.floats(b))
    if (alpha !== 1) kernel = kernel.map((v) => v * alpha)
    const bias = new Float32Array(m)
    if (c) {
      const cv = this.floats(c)
      if (cv.length !== m && cv.length !== 1) this.fail(`has a bias of ${cv.length} values for ${m} outputs`)
      for (let i = 0; i < m; i++) bias[i] = beta * cv[cv.length === 1 ? 0 : i]
    }
    return this.dense(x, kernel, k, m, bias)
  }

  private matmul(): Value {
    const x = this.act(0)
    const b = this.constant(1, 'weights')
    if (b.dims.length !== 2) this.fail(`multiplies by a tensor of shape [${b.dims.join(', ')}]; Featurelens translates products with a matrix`)
    return this.dense(x, Float32Array.from(this.floats(b)), b.dims[0], b.dims[1], new Float32Array(b.dims[1]))
  }

  private add(): Value {
    const [a, b] = [this.value(0), this.value(1)]
    if (a.kind === 'act' && b.kind === 'act') {
      const [x, y] = a.shape.length === b.shape.length ? [a, b] : [this.image(0), this.image(1)]
      if (x.shape.join() !== y.shape.join()) this.fail(`adds tensors of shapes [${x.shape.join(', ')}] and [${y.shape.join(', ')}]; Featurelens translates Add of equal shapes`)
      const ref = this.layer('Add', {}, [x.ref, y.ref])
      return { kind: 'act', ref, shape: x.shape, nonNegative: x.nonNegative && y.nonNegative, squeezed: x.squeezed && y.squeezed }
    }
    const [x, c, xIndex] = a.kind === 'act' ? [a, b as Extract<Value, { kind: 'const' }>, 0] : [b as Extract<Value, { kind: 'act' }>, a, 1]
    if (x.kind !== 'act') this.fail('adds two constants')
    // A per-channel constant after a Dense or Conv used nowhere else is that layer's bias.
    const channels = x.shape[x.shape.length - 1]
    const values = this.floats(c.tensor)
    const owner = x.biasOwner
    const bias = owner ? this.graph.weight(owner, 'bias') : undefined
    const perChannel = values.length === channels && c.tensor.dims.filter((d) => d !== 1).length <= 1
    if (!owner || !bias || !perChannel || !this.usedOnce(this.node.inputs[xIndex])) {
      this.fail('adds a constant that is not the bias of the Dense or Conv before it; Featurelens translates that form only')
    }
    bias.data = bias.data.map((v, i) => v + values[i])
    return { ...x }
  }

  private concat(): Value {
    const parts = this.node.inputs.map((_, i) => this.act(i))
    const rank = parts[0].shape.length
    const axis = this.int('axis', 1)
    if (!((axis === 1 || axis === -3) && rank === 3) && !((axis === 1 || axis === -1) && rank === 1)) this.fail(`concatenates along axis ${axis}; Featurelens translates concatenation of channels (axis 1)`)
    for (const p of parts) if (p.shape.slice(0, -1).join() !== parts[0].shape.slice(0, -1).join()) this.fail('concatenates maps of different sizes')
    const ref = this.layer('Concatenate', { axis: -1 }, parts.map((p) => p.ref))
    const shape = [...parts[0].shape.slice(0, -1), parts.reduce((n, p) => n + p.shape[p.shape.length - 1], 0)]
    return { kind: 'act', ref, shape, nonNegative: parts.every((p) => p.nonNegative) }
  }

  private pad(): Value {
    const x = this.image(0)
    const mode = this.attr('mode')?.s ?? 'constant'
    const pads = this.model.opset >= 11 ? Array.from(this.constant(1, 'pads').data) : this.ints('pads', [])
    const fill = this.model.opset >= 11 && this.node.inputs[2] ? this.floats(this.constant(2, 'fill value'))[0] : this.float('value', 0)
    if (mode !== 'constant' || fill !== 0) this.fail(`pads in "${mode}" mode with ${fill}; Featurelens translates zero padding`)
    const [nb, cb, hb, wb, ne, ce, he, we] = pads
    if (pads.length !== 8 || nb || cb || ne || ce || [hb, wb, he, we].some((p) => p < 0)) this.fail(`pads [${pads.join(', ')}]; Featurelens translates zero padding of height and width`)
    const ref = this.layer('ZeroPadding2D', { padding: [[hb, he], [wb, we]], data_format: 'channels_last' }, [x.ref])
    return { kind: 'act', ref, shape: [x.shape[0] + hb + he, x.shape[1] + wb + we, x.shape[2]], nonNegative: x.nonNegative }
  }
}

import { ApiError } from '../../../../../src-shared/errors'
import type { GraphWeight, LayerRef, LayersGraph } from '../../layersGraph'
import type { OnnxModel, OnnxNode, OnnxTensor } from './onnxProto'
import { padsAreSame, windowOutput, type Window } from './onnxWeights'

/** An activation flowing through the graph: NHWC [H, W, C] or [F], with what later operators need to know of it. */
export interface Act {
  kind: 'act'
  ref: LayerRef
  shape: number[]
  /** Every value is ≥ 0 (after a ReLU), so zero padding cannot change a max. */
  nonNegative: boolean
  /** A [C] from global pooling that is still [C, 1, 1] in ONNX's view. */
  squeezed?: boolean
  /** The Dense or Conv whose output this is, unchanged: an Add of a constant after it is its bias. */
  biasOwner?: LayerRef
}

/** A tensor of the graph: an activation or a constant stored in the model. */
export type Value = Act | { kind: 'const'; tensor: OnnxTensor }

/** What every node's translation shares: the graph built so far and the values computed. */
export interface GraphState {
  readonly model: OnnxModel
  readonly path: string
  readonly graph: LayersGraph
  readonly values: Map<string, Value>
  /** How many nodes (and graph outputs) read each tensor. */
  readonly uses: Map<string, number>
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

const isWhole = (v: number, min: number) => Number.isSafeInteger(v) && v >= min

/**
 * One node being translated: its attributes and inputs, read and checked, and the layers it
 * adds. Every refusal names the file, the node, its operator and the opset.
 */
export class NodeContext {
  constructor(readonly state: GraphState, readonly node: OnnxNode) {}

  get opset(): number {
    return this.state.model.opset
  }

  fail(problem: string): never {
    throw new ApiError('bad_input', `${this.state.path}: node "${this.node.name}" (${this.node.opType}, opset ${this.opset}) ${problem}`)
  }

  private attr(name: string) {
    return this.node.attributes.get(name)
  }
  has(name: string): boolean {
    return this.attr(name) !== undefined
  }
  int(name: string, fallback: number): number {
    return this.attr(name)?.i ?? fallback
  }
  float(name: string, fallback: number): number {
    return this.attr(name)?.f ?? fallback
  }
  ints(name: string, fallback: number[]): number[] {
    const v = this.attr(name)?.ints
    return v && v.length ? v : fallback
  }
  text(name: string, fallback: string): string {
    return this.attr(name)?.s ?? fallback
  }
  tensorAttr(name: string): OnnxTensor | undefined {
    return this.attr(name)?.t
  }

  /** How many nodes read a tensor. */
  usesOf(name: string): number {
    return this.state.uses.get(name) ?? 0
  }

  value(index: number): Value {
    const name = this.node.inputs[index]
    const v = name ? this.state.values.get(name) : undefined
    if (!v) this.fail(`reads "${name}", which no earlier node computes`)
    return v
  }
  act(index: number): Act {
    const v = this.value(index)
    if (v.kind !== 'act') this.fail(`takes a constant as input ${index + 1}, where Featurelens needs the image's activations`)
    return v
  }
  constant(index: number, what: string): OnnxTensor {
    const v = this.value(index)
    if (v.kind !== 'const') this.fail(`computes its ${what} from the input; Featurelens needs it stored in the model`)
    return v.tensor
  }
  optionalConstant(index: number, what: string): OnnxTensor | null {
    return this.node.inputs[index] ? this.constant(index, what) : null
  }
  floats(t: OnnxTensor): Float32Array {
    return t.data instanceof Float32Array ? t.data : Float32Array.from(t.data)
  }

  /** A 4-D activation, reshaping a squeezed [C] (after global pooling) back to [1, 1, C]. */
  image(index: number): Act {
    const v = this.act(index)
    if (v.shape.length === 3) return v
    if (v.squeezed) {
      const ref = this.state.graph.add('Reshape', `${layerNameOf(this.node)}_unflatten`, { target_shape: [1, 1, v.shape[0]] }, [v.ref])
      return { kind: 'act', ref, shape: [1, 1, v.shape[0]], nonNegative: v.nonNegative }
    }
    return this.fail(`needs an N×C×H×W input but gets [N, ${v.shape.join(', ')}]`)
  }

  /** Adds a layer named after the node (plus `suffix`). */
  layer(className: string, config: Record<string, unknown>, inputs: LayerRef[], weights?: Record<string, GraphWeight>, suffix = ''): LayerRef {
    return this.state.graph.add(className, `${layerNameOf(this.node)}${suffix}`, config, inputs, weights)
  }

  /**
   * The node's 2-D window over an [H, W, C] input, every attribute checked: kernel, strides and
   * dilations whole numbers ≥ 1, pads whole numbers ≥ 0, two of each (four pads), and a window
   * that fits the padded input.
   */
  window(kernel: number[], x: number[]): Window {
    const strides = this.ints('strides', [1, 1])
    const dilations = this.ints('dilations', [1, 1])
    if (kernel.length !== 2) this.fail(`has a ${kernel.length}-D window; Featurelens translates 2-D convolutions and poolings`)
    const check = (name: string, values: number[], length: number, min: number) => {
      if (values.length !== length || !values.every((v) => isWhole(v, min))) {
        this.fail(`has ${name} [${values.join(', ')}]; they must be ${length} whole numbers of at least ${min}`)
      }
    }
    check('kernel_shape', kernel, 2, 1)
    check('strides', strides, 2, 1)
    check('dilations', dilations, 2, 1)
    let pads = this.ints('pads', [0, 0, 0, 0])
    check('pads', pads, 4, 0)
    const autoPad = this.text('auto_pad', 'NOTSET')
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
    else if (autoPad !== 'NOTSET') this.fail(`has auto_pad "${autoPad}"; ONNX defines NOTSET, SAME_UPPER, SAME_LOWER and VALID`)
    const w: Window = { kernel: [kernel[0], kernel[1]], strides: [strides[0], strides[1]], dilations: [dilations[0], dilations[1]], pads: [pads[0], pads[1], pads[2], pads[3]] }
    const [oh, ow] = this.outSize(w, x[0], x[1])
    if (oh < 1 || ow < 1) {
      this.fail(`has a ${kernel.join('×')} window (dilation ${dilations.join('×')}) larger than its ${x[0]}×${x[1]} input with pads [${pads.join(', ')}]`)
    }
    return w
  }

  /**
   * The padding mode for a windowed layer: tfjs's 'same' where it adds exactly the ONNX pads
   * (and `sameOk`: it pads like the operator does), else a ZeroPadding2D in front where padding
   * with zeros is exact (`zeroOk`).
   */
  padded(x: Act, w: Window, zeroOk: boolean, sameOk: boolean): { ref: LayerRef; padding: 'valid' | 'same' } {
    const [pt, pl, pb, pr] = w.pads
    const [h, wd] = x.shape
    if (pt === 0 && pl === 0 && pb === 0 && pr === 0) return { ref: x.ref, padding: 'valid' }
    if (sameOk && padsAreSame(w, h, wd)) return { ref: x.ref, padding: 'same' }
    if (!zeroOk) this.fail(`pads [${w.pads.join(', ')}] in a way tfjs cannot reproduce exactly for a ${h}×${wd} input`)
    const ref = this.layer('ZeroPadding2D', { padding: [[pt, pb], [pl, pr]], data_format: 'channels_last' }, [x.ref], undefined, '_pad')
    return { ref, padding: 'valid' }
  }

  outSize(w: Window, h: number, wd: number, ceil = false): [number, number] {
    const [pt, pl, pb, pr] = w.pads
    return [windowOutput(h, w.kernel[0], w.strides[0], w.dilations[0], pt, pb, ceil), windowOutput(wd, w.kernel[1], w.strides[1], w.dilations[1], pl, pr, ceil)]
  }
}

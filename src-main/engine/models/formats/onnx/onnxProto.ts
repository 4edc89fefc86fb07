import { ApiError } from '../../../../../src-shared/errors'
import { decodeTensor, MAX_TENSOR_DIMS, type OnnxTensor } from './onnxTensor'
import { countVarints, FIXED32, LENGTH, VARINT, WireReader, type Span } from './onnxWire'

/**
 * The part of onnx.proto (github.com/onnx/onnx, onnx/onnx.proto, IR version 8) a CNN's graph
 * needs, decoded from the wire format with the field numbers of the official schema. Fields not
 * listed are skipped, as protobuf does for unknown fields. Every list is bounded before it is
 * kept, so a small hostile file cannot take much more memory than its own size.
 */

export type { OnnxTensor } from './onnxTensor'

export interface OnnxAttribute {
  name: string
  f?: number
  i?: number
  s?: string
  t?: OnnxTensor
  floats?: number[]
  ints?: number[]
}

export interface OnnxNode {
  name: string
  opType: string
  domain: string
  inputs: string[]
  outputs: string[]
  attributes: Map<string, OnnxAttribute>
}

export interface OnnxValueInfo {
  name: string
  elemType: number
  /** null for a symbolic dimension ("batch"). */
  dims: (number | null)[] | null
}

export interface OnnxModel {
  producer: string
  /** The default-domain opset the graph was exported for. */
  opset: number
  nodes: OnnxNode[]
  initializers: Map<string, OnnxTensor>
  inputs: OnnxValueInfo[]
  outputs: OnnxValueInfo[]
  metadata: Map<string, string>
}

/** Names, nodes, attribute values and graph inputs kept, all together: far more than any CNN has. */
export const MAX_KEPT_ENTRIES = 2_000_000
/** Values of one attribute's list (pads, strides, kernel shape…). */
export const MAX_ATTRIBUTE_VALUES = 4096

/** Counts what the decoder keeps, refusing a file that would make it keep too much. */
class Budget {
  private kept = 0
  constructor(private readonly path: string) {}
  keep(n = 1): void {
    this.kept += n
    if (this.kept > MAX_KEPT_ENTRIES) {
      throw new ApiError('bad_input', `${this.path} holds more than ${MAX_KEPT_ENTRIES} nodes, names and attribute values, far more than an image model has; it is damaged or not a model Featurelens opens`)
    }
  }
}

/** Reads a repeated number field (packed or one value per tag), its count checked before the values are kept. */
function repeatedNumbers(r: WireReader, wire: number, single: number, read: (v: WireReader) => number, what: string, into: number[]): void {
  if (wire === single) {
    if (into.length >= MAX_ATTRIBUTE_VALUES) r.damaged(`${what} with more than ${MAX_ATTRIBUTE_VALUES} values`)
    into.push(read(r))
    return
  }
  r.expect(LENGTH, wire, what)
  const span = r.length()
  const n = single === VARINT ? countVarints(r.bytes, span) : (span.end - span.start) / 4
  if (into.length + n > MAX_ATTRIBUTE_VALUES) r.damaged(`${what} with more than ${MAX_ATTRIBUTE_VALUES} values`)
  const values = r.nested(span)
  while (!values.done) into.push(read(values))
}

function attribute(r: WireReader, budget: Budget): OnnxAttribute {
  const a: OnnxAttribute = { name: '' }
  while (!r.done) {
    const { field, wire } = r.tag()
    if (field === 1 && wire === LENGTH) a.name = r.string()
    else if (field === 2 && wire === FIXED32) a.f = r.float()
    else if (field === 3 && wire === VARINT) a.i = r.int64()
    else if (field === 4 && wire === LENGTH) a.s = r.string()
    else if (field === 5 && wire === LENGTH) a.t = decodeTensor(r.nested(r.length()))
    else if (field === 7) repeatedNumbers(r, wire, FIXED32, (v) => v.float(), `attribute "${a.name}"`, (a.floats ??= []))
    else if (field === 8) repeatedNumbers(r, wire, VARINT, (v) => v.int64(), `attribute "${a.name}"`, (a.ints ??= []))
    else r.skip(wire)
  }
  budget.keep(1 + (a.floats?.length ?? 0) + (a.ints?.length ?? 0))
  return a
}

function node(r: WireReader, index: number, budget: Budget): OnnxNode {
  const n: OnnxNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: new Map() }
  while (!r.done) {
    const { field, wire } = r.tag()
    if (field === 1 && wire === LENGTH) n.inputs.push(r.string())
    else if (field === 2 && wire === LENGTH) n.outputs.push(r.string())
    else if (field === 3 && wire === LENGTH) n.name = r.string()
    else if (field === 4 && wire === LENGTH) n.opType = r.string()
    else if (field === 7 && wire === LENGTH) n.domain = r.string()
    else if (field === 5 && wire === LENGTH) {
      const a = attribute(r.nested(r.length()), budget)
      n.attributes.set(a.name, a)
    } else r.skip(wire)
    budget.keep()
  }
  if (!n.name) n.name = `${n.opType || 'node'}_${index}`
  return n
}

/** ValueInfoProto → TypeProto.tensor_type → elem_type and shape.dim (dim_value, else open). */
function valueInfo(r: WireReader, budget: Budget): OnnxValueInfo {
  const info: OnnxValueInfo = { name: '', elemType: 0, dims: null }
  const within = (span: Span, visit: (field: number, wire: number, inner: WireReader) => void) => {
    const inner = r.nested(span)
    while (!inner.done) {
      const { field, wire } = inner.tag()
      visit(field, wire, inner)
    }
  }
  while (!r.done) {
    const { field, wire } = r.tag()
    if (field === 1 && wire === LENGTH) info.name = r.string()
    else if (field === 2 && wire === LENGTH) {
      within(r.length(), (f, w, type) => {
        if (f !== 1 || w !== LENGTH) return type.skip(w)
        within(type.length(), (f2, w2, tensor) => {
          if (f2 === 1 && w2 === VARINT) info.elemType = tensor.int32()
          else if (f2 === 2 && w2 === LENGTH) {
            info.dims = []
            within(tensor.length(), (f3, w3, shape) => {
              if (f3 !== 1 || w3 !== LENGTH) return shape.skip(w3)
              if ((info.dims ?? []).length >= MAX_TENSOR_DIMS) shape.damaged(`"${info.name}" with more than ${MAX_TENSOR_DIMS} dimensions`)
              let value: number | null = null
              within(shape.length(), (f4, w4, dim) => {
                if (f4 === 1 && w4 === VARINT) value = dim.int64()
                else dim.skip(w4)
              })
              info.dims?.push(value !== null && value > 0 ? value : null)
            })
          } else tensor.skip(w2)
        })
      })
    } else r.skip(wire)
  }
  budget.keep(1 + (info.dims?.length ?? 0))
  return info
}

interface Graph {
  nodes: OnnxNode[]
  initializers: Map<string, OnnxTensor>
  inputs: OnnxValueInfo[]
  outputs: OnnxValueInfo[]
}

function graph(r: WireReader, budget: Budget): Graph {
  const g: Graph = { nodes: [], initializers: new Map(), inputs: [], outputs: [] }
  while (!r.done) {
    const { field, wire } = r.tag()
    if (field === 1 && wire === LENGTH) g.nodes.push(node(r.nested(r.length()), g.nodes.length, budget))
    else if (field === 5 && wire === LENGTH) {
      const t = decodeTensor(r.nested(r.length()))
      budget.keep()
      g.initializers.set(t.name, t)
    } else if (field === 11 && wire === LENGTH) g.inputs.push(valueInfo(r.nested(r.length()), budget))
    else if (field === 12 && wire === LENGTH) g.outputs.push(valueInfo(r.nested(r.length()), budget))
    else r.skip(wire)
  }
  return g
}

/** Decodes an .onnx file's bytes; a file that is not a protobuf ModelProto is an error naming the file. */
export function decodeOnnx(bytes: Uint8Array, path: string): OnnxModel {
  const budget = new Budget(path)
  const r = new WireReader(bytes, { start: 0, end: bytes.length }, path)
  let graphSpan: Span | null = null
  let producerName = ''
  let producerVersion = ''
  let opset = 0
  const metadata = new Map<string, string>()
  while (!r.done) {
    const { field, wire } = r.tag()
    if (field === 2 && wire === LENGTH) producerName = r.string()
    else if (field === 3 && wire === LENGTH) producerVersion = r.string()
    else if (field === 7 && wire === LENGTH) graphSpan = r.length()
    else if (field === 8 && wire === LENGTH) {
      // OperatorSetIdProto: the default domain's version is the opset.
      const o = r.nested(r.length())
      let domain = ''
      let version = 0
      while (!o.done) {
        const t = o.tag()
        if (t.field === 1 && t.wire === LENGTH) domain = o.string()
        else if (t.field === 2 && t.wire === VARINT) version = o.int64()
        else o.skip(t.wire)
      }
      if (domain === '' || domain === 'ai.onnx') opset = version
    } else if (field === 14 && wire === LENGTH) {
      const e = r.nested(r.length())
      let key = ''
      let value = ''
      while (!e.done) {
        const t = e.tag()
        if (t.field === 1 && t.wire === LENGTH) key = e.string()
        else if (t.field === 2 && t.wire === LENGTH) value = e.string()
        else e.skip(t.wire)
      }
      budget.keep(2)
      metadata.set(key, value)
    } else r.skip(wire)
  }
  const g = graphSpan ? graph(r.nested(graphSpan), budget) : null
  if (!g || g.nodes.length === 0) throw new ApiError('bad_input', `${path} holds no ONNX graph; it is not an ONNX model, or an empty one`)
  return {
    producer: [producerName, producerVersion].filter(Boolean).join(' '),
    opset,
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: g.inputs.filter((v) => !g.initializers.has(v.name)),
    outputs: g.outputs,
    metadata
  }
}

import protobuf from 'protobufjs'
import { ApiError } from '../../../../../src-shared/errors'

/**
 * The part of onnx.proto (github.com/onnx/onnx, onnx/onnx.proto, IR version 8) a CNN's graph
 * needs, with the field numbers of the official schema. Fields not listed are skipped by the
 * decoder, as protobuf does for unknown fields.
 */
const schema = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            graph: { type: 'GraphProto', id: 7 },
            metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 }
          }
        },
        OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
        StringStringEntryProto: { fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 }
          }
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            domain: { type: 'string', id: 7 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 }
          }
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'int32', id: 20 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            floats: { rule: 'repeated', type: 'float', id: 7 },
            ints: { rule: 'repeated', type: 'int64', id: 8 }
          }
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1 },
            dataType: { type: 'int32', id: 2 },
            floatData: { rule: 'repeated', type: 'float', id: 4 },
            int32Data: { rule: 'repeated', type: 'int32', id: 5 },
            int64Data: { rule: 'repeated', type: 'int64', id: 7 },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
            doubleData: { rule: 'repeated', type: 'double', id: 10 },
            dataLocation: { type: 'int32', id: 14 }
          }
        },
        ValueInfoProto: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } } },
        TypeProto: { fields: { tensorType: { type: 'TypeProtoTensor', id: 1 } } },
        TypeProtoTensor: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } },
        TensorShapeProto: { fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } } },
        Dimension: { fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } } }
      }
    }
  }
}

const root = protobuf.Root.fromJSON(schema)
const ModelProto = root.lookupType('onnx.ModelProto')

type Long = number | { toNumber(): number }
const num = (v: Long | undefined | null): number => (v === undefined || v === null ? 0 : typeof v === 'number' ? v : v.toNumber())

export interface OnnxTensor {
  name: string
  dims: number[]
  /** float32 for float tensors, plain numbers (exact up to 2^53) for integer ones. */
  data: Float32Array | number[]
}

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

const FLOAT = 1
const INT32 = 6
const INT64 = 7
const DOUBLE = 11
const typeNames: Record<number, string> = { 1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64', 16: 'bfloat16' }

interface RawTensor {
  dims?: Long[]
  dataType?: number
  floatData?: number[]
  int32Data?: number[]
  int64Data?: Long[]
  name?: string
  rawData?: Uint8Array
  doubleData?: number[]
  dataLocation?: number
}

function tensorFrom(raw: RawTensor, path: string): OnnxTensor {
  const name = raw.name ?? ''
  const dims = (raw.dims ?? []).map(num)
  const count = dims.reduce((n, d) => n * d, 1)
  if (raw.dataLocation === 1) throw new ApiError('bad_input', `${path}: tensor "${name}" keeps its data in an external file, which Featurelens does not read; export with the weights inside the .onnx file`)
  const type = raw.dataType ?? 0
  const bytes = raw.rawData && raw.rawData.length > 0 ? raw.rawData : null
  let data: Float32Array | number[]
  if (type === FLOAT) {
    if (bytes) {
      if (bytes.length !== count * 4) throw new ApiError('bad_input', `${path}: tensor "${name}" has ${bytes.length} bytes for ${count} float32 values; the file is damaged`)
      data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length))
    } else data = Float32Array.from(raw.floatData ?? [])
  } else if (type === DOUBLE) {
    data = bytes ? Float32Array.from(new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length))) : Float32Array.from(raw.doubleData ?? [])
  } else if (type === INT64) {
    if (bytes) {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length)
      data = Array.from({ length: bytes.length / 8 }, (_, i) => Number(view.getBigInt64(i * 8, true)))
    } else data = (raw.int64Data ?? []).map(num)
  } else if (type === INT32) {
    data = bytes ? Array.from(new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length))) : [...(raw.int32Data ?? [])]
  } else {
    throw new ApiError('bad_input', `${path}: tensor "${name}" is ${typeNames[type] ?? `of data type ${type}`}; Featurelens reads float32, float64, int32 and int64 tensors (quantized models are not supported)`)
  }
  if (data.length !== count) throw new ApiError('bad_input', `${path}: tensor "${name}" has ${data.length} values for the shape [${dims.join(', ')}]; the file is damaged`)
  return { name, dims, data }
}

interface RawAttribute { name?: string; f?: number; i?: Long; s?: Uint8Array; t?: RawTensor; floats?: number[]; ints?: Long[]; type?: number }
interface RawNode { input?: string[]; output?: string[]; name?: string; opType?: string; domain?: string; attribute?: RawAttribute[] }
interface RawValueInfo { name?: string; type?: { tensorType?: { elemType?: number; shape?: { dim?: { dimValue?: Long; dimParam?: string }[] } } } }
interface RawModel {
  opsetImport?: { domain?: string; version?: Long }[]
  producerName?: string
  producerVersion?: string
  graph?: { node?: RawNode[]; initializer?: RawTensor[]; input?: RawValueInfo[]; output?: RawValueInfo[] }
  metadataProps?: { key?: string; value?: string }[]
}

function valueInfo(raw: RawValueInfo): OnnxValueInfo {
  const tensor = raw.type?.tensorType
  const dims = tensor?.shape?.dim ? tensor.shape.dim.map((d) => (d.dimValue !== undefined && num(d.dimValue) > 0 ? num(d.dimValue) : null)) : null
  return { name: raw.name ?? '', elemType: tensor?.elemType ?? 0, dims }
}

/** Decodes an .onnx file's bytes; a file that is not a protobuf ModelProto is an error naming the file. */
export function decodeOnnx(bytes: Uint8Array, path: string): OnnxModel {
  let raw: RawModel
  try {
    raw = ModelProto.toObject(ModelProto.decode(bytes), { defaults: false, arrays: true }) as RawModel
  } catch {
    throw new ApiError('bad_input', `${path} is not a valid ONNX file (its protobuf encoding is broken); export the model again with torch.onnx.export`)
  }
  const graph = raw.graph
  if (!graph || !graph.node || graph.node.length === 0) {
    throw new ApiError('bad_input', `${path} holds no ONNX graph; it is not an ONNX model, or an empty one`)
  }
  const opset = num((raw.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx')?.version)
  const nodes = graph.node.map((n, index): OnnxNode => {
    const attributes = new Map<string, OnnxAttribute>()
    for (const a of n.attribute ?? []) {
      const name = a.name ?? ''
      attributes.set(name, {
        name,
        f: a.f,
        i: a.i === undefined ? undefined : num(a.i),
        s: a.s === undefined ? undefined : Buffer.from(a.s).toString('utf8'),
        t: a.t ? tensorFrom(a.t, path) : undefined,
        floats: a.floats,
        ints: a.ints?.map(num)
      })
    }
    return { name: n.name || `${n.opType ?? 'node'}_${index}`, opType: n.opType ?? '', domain: n.domain ?? '', inputs: n.input ?? [], outputs: n.output ?? [], attributes }
  })
  const initializers = new Map<string, OnnxTensor>()
  for (const t of graph.initializer ?? []) {
    const tensor = tensorFrom(t, path)
    initializers.set(tensor.name, tensor)
  }
  return {
    producer: [raw.producerName, raw.producerVersion].filter(Boolean).join(' '),
    opset,
    nodes,
    initializers,
    inputs: (graph.input ?? []).map(valueInfo).filter((v) => !initializers.has(v.name)),
    outputs: (graph.output ?? []).map(valueInfo),
    metadata: new Map((raw.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']))
  }
}

/** Encodes a model object (same field names as above) to bytes; for tests that build small graphs. */
export function encodeOnnx(model: Record<string, unknown>): Uint8Array {
  const problem = ModelProto.verify(model)
  if (problem) throw new Error(problem)
  return ModelProto.encode(ModelProto.fromObject(model)).finish()
}

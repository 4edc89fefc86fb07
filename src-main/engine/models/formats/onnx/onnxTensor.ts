import { ApiError } from '../../../../../src-shared/errors'
import { countVarints, FIXED32, FIXED64, LENGTH, VARINT, type Span, type WireReader } from './onnxWire'

/** A tensor of the graph: its name, shape and values. */
export interface OnnxTensor {
  name: string
  dims: number[]
  /** float32 for float tensors, plain numbers (exact up to 2^53) for integer ones. */
  data: Float32Array | number[]
}

/** More dimensions than any image model's tensor has. */
export const MAX_TENSOR_DIMS = 16
/** Integer tensors are shapes, pads and axes in a CNN: a few values each. */
export const MAX_INTEGER_VALUES = 65_536
/** The most values one tensor may hold (2 GiB of float32, the weight budget of a whole model). */
export const MAX_TENSOR_VALUES = 512 * 1024 * 1024

const FLOAT = 1
const INT32 = 6
const INT64 = 7
const DOUBLE = 11
const typeNames: Record<number, string> = { 1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64', 16: 'bfloat16' }

/** TensorProto's data fields: number, name, element size when packed (0 for varints). */
const DATA_FIELDS = { 4: { name: 'float_data', size: 4 }, 5: { name: 'int32_data', size: 0 }, 7: { name: 'int64_data', size: 0 }, 10: { name: 'double_data', size: 8 } } as const
type DataField = keyof typeof DATA_FIELDS
const DATA_FIELD_OF: Record<number, DataField> = { [FLOAT]: 4, [INT32]: 5, [INT64]: 7, [DOUBLE]: 10 }
const isDataField = (field: number): field is DataField => field in DATA_FIELDS

/** What the first pass learns of a TensorProto without materialising its values. */
interface Scan {
  name: string
  dims: number[]
  dataType: number
  external: boolean
  raw: Span | null
  /** How many values each repeated data field holds, packed or not. */
  counts: Map<DataField, number>
}

function scan(r: WireReader): Scan {
  const out: Scan = { name: '', dims: [], dataType: 0, external: false, raw: null, counts: new Map() }
  while (!r.done) {
    const { field, wire } = r.tag()
    if (field === 1) {
      // dims: packed or one by one; their count is checked before they are kept.
      const values = wire === LENGTH ? r.nested(r.length()) : r
      do {
        if (out.dims.length >= MAX_TENSOR_DIMS) r.damaged(`a tensor with more than ${MAX_TENSOR_DIMS} dimensions`)
        if (values !== r && values.done) break
        out.dims.push(values.int64())
      } while (values !== r && !values.done)
    } else if (field === 2 && wire === VARINT) out.dataType = r.int32()
    else if (field === 8 && wire === LENGTH) out.name = r.string()
    else if (field === 9 && wire === LENGTH) out.raw = r.length()
    else if (field === 14 && wire === VARINT) out.external = r.int32() === 1
    else if (isDataField(field)) {
      const size = DATA_FIELDS[field].size
      let n = 1
      if (wire === LENGTH) {
        const span = r.length()
        n = size === 0 ? countVarints(r.bytes, span) : (span.end - span.start) / size
        if (!Number.isInteger(n)) r.damaged(`a packed ${DATA_FIELDS[field].name} of ${span.end - span.start} bytes`)
      } else {
        // One value with its own tag.
        r.expect(size === 0 ? VARINT : size === 4 ? FIXED32 : FIXED64, wire, DATA_FIELDS[field].name)
        r.skip(wire)
      }
      out.counts.set(field, (out.counts.get(field) ?? 0) + n)
    } else r.skip(wire)
  }
  return out
}

/** The second pass: the one data field's values, into an array of exactly `count`. */
function readValues(r: WireReader, field: DataField, count: number, into: (i: number, read: WireReader) => void): void {
  let i = 0
  while (!r.done) {
    const { field: f, wire } = r.tag()
    if (f !== field) {
      r.skip(wire)
      continue
    }
    const values = wire === LENGTH ? r.nested(r.length()) : r
    do into(i++, values)
    while (wire === LENGTH && !values.done && i < count)
  }
}

/** A fresh, aligned copy of the bytes (the file's buffer may be a Node Buffer slice of a larger one). */
function copyRaw(bytes: Uint8Array, span: Span): ArrayBuffer {
  const out = new Uint8Array(span.end - span.start)
  out.set(bytes.subarray(span.start, span.end))
  return out.buffer
}

/**
 * Decodes a TensorProto with limits: its dimensions are checked (at most 16, none below 0),
 * the count of values each data field holds is compared with what the dimensions need before
 * any value is kept, and integer tensors (shapes, pads) are kept small. A refusal names the tensor.
 */
export function decodeTensor(r: WireReader): OnnxTensor {
  const t = scan(r)
  const refuse = (problem: string): never => {
    throw new ApiError('bad_input', `${r.path}: tensor "${t.name}" ${problem}`)
  }
  const shape = `[${t.dims.join(', ')}]`
  if (t.dims.some((d) => d < 0)) refuse(`has the shape ${shape}, with a dimension below 0; the file is damaged`)
  const count = t.dims.reduce((n, d) => n * d, 1)
  if (count > MAX_TENSOR_VALUES) refuse(`has the shape ${shape}, ${count} values, more than the ${MAX_TENSOR_VALUES} Featurelens reads in one tensor`)
  if (t.external) refuse('keeps its data in an external file, which Featurelens does not read; export with the weights inside the .onnx file')
  const field = DATA_FIELD_OF[t.dataType]
  if (field === undefined) {
    refuse(`is ${typeNames[t.dataType] ?? `of data type ${t.dataType}`}; Featurelens reads float32, float64, int32 and int64 tensors (quantized models are not supported)`)
  }
  const integer = t.dataType === INT32 || t.dataType === INT64
  if (integer && count > MAX_INTEGER_VALUES) refuse(`is an integer tensor of ${count} values; Featurelens reads integer tensors (shapes, pads) of at most ${MAX_INTEGER_VALUES}`)
  const elementBytes = { [FLOAT]: 4, [INT32]: 4, [INT64]: 8, [DOUBLE]: 8 }[t.dataType] ?? 4
  const raw = t.raw && t.raw.end > t.raw.start ? t.raw : null
  if (raw) {
    const n = raw.end - raw.start
    if (n !== count * elementBytes) refuse(`has ${n} bytes for ${count} ${typeNames[t.dataType]} values; the file is damaged`)
    const buffer = copyRaw(r.bytes, raw)
    if (t.dataType === FLOAT) return { name: t.name, dims: t.dims, data: new Float32Array(buffer) }
    if (t.dataType === DOUBLE) return { name: t.name, dims: t.dims, data: Float32Array.from(new Float64Array(buffer)) }
    if (t.dataType === INT32) return { name: t.name, dims: t.dims, data: Array.from(new Int32Array(buffer)) }
    const ints = new BigInt64Array(buffer)
    const data = Array.from(ints, Number)
    if (!data.every(Number.isSafeInteger)) refuse('holds an integer beyond what Featurelens reads exactly')
    return { name: t.name, dims: t.dims, data }
  }
  const held = t.counts.get(field) ?? 0
  if (held !== count) refuse(`has ${held} values for the shape ${shape}; the file is damaged`)
  const again = r.nested(r.span)
  if (integer) {
    const data = new Array<number>(count)
    readValues(again, field, count, (i, v) => (data[i] = t.dataType === INT32 ? v.int32() : v.int64()))
    return { name: t.name, dims: t.dims, data }
  }
  const data = new Float32Array(count)
  readValues(again, field, count, (i, v) => (data[i] = t.dataType === FLOAT ? v.float() : v.double()))
  return { name: t.name, dims: t.dims, data }
}

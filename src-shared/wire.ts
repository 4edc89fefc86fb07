/**
 * Message framing for the WebSocket and HTTP transports. Typed arrays travel as raw bytes, not
 * JSON number lists: the JSON header holds a placeholder for each array and the bytes follow it.
 *
 * Frame layout: [u32 LE header length][header JSON, UTF-8][pad to 8][array bytes, each padded to 8]
 */

const typedArrayKinds = {
  Uint8Array,
  Int8Array,
  Uint16Array,
  Int16Array,
  Uint32Array,
  Int32Array,
  Float32Array,
  Float64Array
} as const
type TypedArrayKind = keyof typeof typedArrayKinds
type AnyTypedArray = InstanceType<(typeof typedArrayKinds)[TypedArrayKind]>

interface BinaryRef {
  $bin: number
  kind: TypedArrayKind
  length: number
}

function kindOf(value: unknown): TypedArrayKind | null {
  if (!ArrayBuffer.isView(value) || value instanceof DataView) return null
  const name = value.constructor.name
  // Node's Buffer is a Uint8Array subclass; send it as one.
  if (name === 'Buffer') return 'Uint8Array'
  return name in typedArrayKinds ? (name as TypedArrayKind) : null
}

function isBinaryRef(value: unknown): value is BinaryRef {
  return typeof value === 'object' && value !== null && typeof (value as BinaryRef).$bin === 'number' && typeof (value as BinaryRef).kind === 'string'
}

/** Whether a value holds any typed array, so a text frame suffices when it does not. */
export function hasBinary(value: unknown): boolean {
  if (kindOf(value)) return true
  if (Array.isArray(value)) return value.some(hasBinary)
  if (value && typeof value === 'object') return Object.values(value).some(hasBinary)
  return false
}

const align8 = (n: number): number => (n + 7) & ~7

export function encodeFrame(message: unknown): Uint8Array {
  const arrays: AnyTypedArray[] = []
  const header = JSON.stringify(message, function (this: unknown, _key, value: unknown) {
    // JSON.stringify has already called toJSON on Buffers; read the original from the holder.
    const original = (this as Record<string, unknown>)[_key]
    const kind = kindOf(original)
    if (!kind) return value
    arrays.push(original as AnyTypedArray)
    return { $bin: arrays.length - 1, kind, length: (original as AnyTypedArray).length } satisfies BinaryRef
  })
  const headerBytes = new TextEncoder().encode(header)
  let size = align8(4 + headerBytes.length)
  const offsets = arrays.map((a) => {
    const at = size
    size += align8(a.byteLength)
    return at
  })
  const frame = new Uint8Array(size)
  new DataView(frame.buffer).setUint32(0, headerBytes.length, true)
  frame.set(headerBytes, 4)
  arrays.forEach((a, i) => frame.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offsets[i]))
  return frame
}

export function decodeFrame(frame: Uint8Array): unknown {
  if (frame.byteLength < 4) throw new Error('frame too short')
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength)
  const headerLength = view.getUint32(0, true)
  if (4 + headerLength > frame.byteLength) throw new Error('frame header length exceeds frame')
  const header = new TextDecoder().decode(frame.subarray(4, 4 + headerLength))
  // First pass finds the refs in order so their offsets can be computed.
  const refs: BinaryRef[] = []
  const parsed = JSON.parse(header, (_key, value: unknown) => {
    if (isBinaryRef(value)) refs[value.$bin] = value
    return value
  }) as unknown
  const offsets: number[] = []
  let at = align8(4 + headerLength)
  for (const ref of refs) {
    const Kind = typedArrayKinds[ref.kind]
    if (!Kind) throw new Error(`unknown array kind ${ref.kind}`)
    offsets.push(at)
    at += align8(ref.length * Kind.BYTES_PER_ELEMENT)
  }
  if (at > frame.byteLength) throw new Error('frame shorter than its arrays')
  const revive = (value: unknown): unknown => {
    if (isBinaryRef(value)) {
      const Kind = typedArrayKinds[value.kind]
      const start = frame.byteOffset + offsets[value.$bin]
      // Copy into a fresh, aligned buffer so the array does not pin or alias the frame.
      const bytes = frame.buffer.slice(start, start + value.length * Kind.BYTES_PER_ELEMENT)
      return new Kind(bytes as ArrayBuffer)
    }
    if (Array.isArray(value)) return value.map(revive)
    if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) (value as Record<string, unknown>)[k] = revive(v)
    }
    return value
  }
  return revive(parsed)
}

/** Messages on the WebSocket. Calls are answered by a result with the same id. */
export type WireMessage =
  | { t: 'call'; id: number; method: string; params: unknown }
  | { t: 'result'; id: number; ok: true; value: unknown }
  | { t: 'result'; id: number; ok: false; error: { code: string; message: string } }
  | { t: 'event'; name: string; payload: unknown }

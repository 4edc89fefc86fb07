/**
 * Message framing for the WebSocket and HTTP transports. Typed arrays travel as raw bytes, not
 * JSON number lists: the JSON header holds a placeholder for each array and the bytes follow it.
 *
 * Frame layout: [u32 LE header length][header JSON, UTF-8][pad to 8][array bytes, each padded to 8]
 */

import { MAX_UPLOAD_BYTES } from './inspect'

export const typedArrayKinds = {
  Uint8Array,
  Int8Array,
  Uint16Array,
  Int16Array,
  Uint32Array,
  Int32Array,
  Float32Array,
  Float64Array
} as const
export type TypedArrayKind = keyof typeof typedArrayKinds
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

/** Rounds up to a multiple of 8 in plain arithmetic (a 32-bit mask would wrap past 2^31). */
const align8 = (n: number): number => Math.ceil(n / 8) * 8

/** What decodeFrame throws for any frame that is not exactly what encodeFrame writes. */
export class WireError extends Error {
  constructor(message: string) {
    super(`malformed binary frame: ${message}`)
    this.name = 'WireError'
  }
}

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

function checkRef(ref: BinaryRef): number {
  if (!Number.isSafeInteger(ref.$bin) || ref.$bin < 0) throw new WireError(`array index ${String(ref.$bin)} is not a non-negative integer`)
  if (!Object.prototype.hasOwnProperty.call(typedArrayKinds, ref.kind)) throw new WireError(`unknown array kind ${JSON.stringify(ref.kind)}`)
  if (!Number.isSafeInteger(ref.length) || ref.length < 0) throw new WireError(`array length ${String(ref.length)} is not a non-negative integer`)
  return typedArrayKinds[ref.kind].BYTES_PER_ELEMENT
}

function parseHeader(text: string, reviver?: (key: string, value: unknown) => unknown): unknown {
  try {
    return JSON.parse(text, reviver)
  } catch (err) {
    if (err instanceof WireError) throw err
    throw new WireError('its header is not valid JSON')
  }
}

/**
 * Reads a frame written by encodeFrame. Every offset and length is checked to be a whole,
 * non-negative number inside the frame (plain arithmetic, nothing wraps), the arrays must fill
 * the frame exactly, and each array is copied out, so it never aliases the frame or the pooled
 * buffer behind it. Anything else throws WireError.
 */
export function decodeFrame(frame: Uint8Array): unknown {
  if (!(frame instanceof Uint8Array)) throw new WireError('not a byte array')
  const size = frame.byteLength
  if (size < 4) throw new WireError('shorter than its 4-byte header length')
  const headerLength = new DataView(frame.buffer, frame.byteOffset, size).getUint32(0, true)
  if (headerLength > size - 4) throw new WireError(`header length ${headerLength} exceeds the frame (${size} bytes)`)
  let header: string
  try {
    header = new TextDecoder('utf-8', { fatal: true }).decode(frame.subarray(4, 4 + headerLength))
  } catch {
    throw new WireError('its header is not valid UTF-8')
  }
  // First pass: the refs by index, so each array's offset can be computed.
  const refs: BinaryRef[] = []
  parseHeader(header, (_key, value) => {
    if (isBinaryRef(value)) {
      checkRef(value)
      if (value.$bin !== refs.length) throw new WireError(`array index ${value.$bin} is out of order or repeated`)
      refs[value.$bin] = value
    }
    return value
  })
  const spans: { start: number; end: number }[] = []
  let at = align8(4 + headerLength)
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i]
    const bytesPer = checkRef(ref)
    // length <= (size - at) / bytesPer, compared without forming a product that could overflow.
    if (at > size || ref.length > Math.floor((size - at) / bytesPer)) throw new WireError(`array ${i} (${ref.length} × ${ref.kind}) runs past the end of the frame (${size} bytes)`)
    spans.push({ start: at, end: at + ref.length * bytesPer })
    at = align8(at + ref.length * bytesPer)
  }
  if (at !== size) throw new WireError(`the frame is ${size} bytes but its arrays end at ${at}`)
  // Second pass: the same header with each ref replaced by a copy of its bytes.
  return parseHeader(header, (_key, value) => {
    if (!isBinaryRef(value)) return value
    const Kind = typedArrayKinds[value.kind]
    const span = spans[value.$bin]
    const bytes = new Uint8Array(span.end - span.start)
    bytes.set(frame.subarray(span.start, span.end))
    return new Kind(bytes.buffer)
  })
}

/** A message as the WebSocket carries it: JSON text, or a binary frame when it holds typed arrays. */
export function encodeMessage(message: unknown): string | Uint8Array {
  return hasBinary(message) ? encodeFrame(message) : JSON.stringify(message)
}

/** Reads what encodeMessage wrote; throws (SyntaxError, WireError) for anything else. */
export function decodeMessage(data: string | Uint8Array): unknown {
  return typeof data === 'string' ? JSON.parse(data) : decodeFrame(data)
}

/** The close code of a WebSocket the host closed for idleness (4000–4999 are the application's; 408 as in HTTP). */
export const WS_IDLE_CLOSE = 4408

/** Requests sent as JSON text carry ids, paths, names and at most a few hundred sample refs. */
export const MAX_TEXT_REQUEST_BYTES = 1024 * 1024
/** Requests sent as binary frames may carry an uploaded image (MAX_UPLOAD_BYTES) and a header. */
export const MAX_BINARY_REQUEST_BYTES = MAX_UPLOAD_BYTES + 1024 * 1024

/** The cap for a request in this encoding, as a person reads it ("1 MiB"). */
export function requestCap(binary: boolean): { bytes: number; text: string } {
  const bytes = binary ? MAX_BINARY_REQUEST_BYTES : MAX_TEXT_REQUEST_BYTES
  return { bytes, text: `${bytes / (1024 * 1024)} MiB` }
}

/** The error for a request over its cap; names the cap and the encoding. */
export function requestTooLarge(binary: boolean): string {
  return `request is larger than the ${requestCap(binary).text} the host accepts for ${binary ? 'binary frames (uploads)' : 'JSON requests'}`
}

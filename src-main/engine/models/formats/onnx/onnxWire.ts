import { ApiError } from '../../../../../src-shared/errors'

/**
 * A protobuf wire-format reader over one message's bytes, for the part of onnx.proto Featurelens
 * reads. Nothing is materialised unless asked: a repeated field's values are counted first
 * (packed or not) so the caller can compare the count with what it needs before it allocates.
 * Every problem is an ApiError naming the file.
 */

export const VARINT = 0
export const FIXED64 = 1
export const LENGTH = 2
export const FIXED32 = 5

/** A length-delimited field: its bytes are [start, end) of the file. */
export interface Span {
  start: number
  end: number
}

export class WireReader {
  private readonly view: DataView
  pos: number

  constructor(readonly bytes: Uint8Array, readonly span: Span, readonly path: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.pos = span.start
  }

  /** A reader over a nested message's bytes. */
  nested(span: Span): WireReader {
    return new WireReader(this.bytes, span, this.path)
  }

  damaged(what: string): never {
    throw new ApiError('bad_input', `${this.path} is not a valid ONNX file (${what} at byte ${this.pos}); export the model again with torch.onnx.export`)
  }

  get done(): boolean {
    return this.pos >= this.span.end
  }

  /** The next field's number and wire type. */
  tag(): { field: number; wire: number } {
    const tag = this.varint()
    const field = Math.floor(tag / 8)
    if (field === 0) this.damaged('a field numbered 0')
    return { field, wire: tag % 8 }
  }

  /** An unsigned varint below 2^53 (tags, lengths, counts); longer ones need `int64`. */
  varint(): number {
    const raw = this.rawVarint()
    if (typeof raw === 'bigint') return this.damaged('a length or tag beyond 2^53')
    return raw
  }

  /** The varint's value, as a number while it has at most 7 bytes (49 bits), else as a bigint. */
  private rawVarint(): number | bigint {
    const start = this.pos
    let value = 0
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.span.end) this.damaged('a number cut short')
      const b = this.bytes[this.pos++]
      if (i < 7) value += (b & 0x7f) * 2 ** (7 * i)
      if ((b & 0x80) === 0) {
        if (i < 7) return value
        let big = 0n
        for (let j = this.pos - 1; j >= start; j--) big = (big << 7n) | BigInt(this.bytes[j] & 0x7f)
        return big
      }
    }
    return this.damaged('a number longer than 10 bytes')
  }

  /** A signed 64-bit integer (two's complement), refused when JavaScript cannot hold it exactly. */
  int64(): number {
    const raw = this.rawVarint()
    const value = typeof raw === 'bigint' ? Number(BigInt.asIntN(64, raw)) : raw
    if (!Number.isSafeInteger(value)) this.damaged(`the integer ${String(raw)}, beyond what Featurelens reads exactly`)
    return value
  }

  /** A signed 32-bit integer (negative ones are written as 10-byte varints). */
  int32(): number {
    const raw = this.rawVarint()
    return typeof raw === 'bigint' ? Number(BigInt.asIntN(32, raw)) : raw | 0
  }

  float(): number {
    if (this.pos + 4 > this.span.end) this.damaged('a float cut short')
    const v = this.view.getFloat32(this.pos, true)
    this.pos += 4
    return v
  }

  double(): number {
    if (this.pos + 8 > this.span.end) this.damaged('a double cut short')
    const v = this.view.getFloat64(this.pos, true)
    this.pos += 8
    return v
  }

  /** A length-delimited field's span, checked to lie inside this message. */
  length(): Span {
    const n = this.varint()
    const start = this.pos
    if (start + n > this.span.end) this.damaged(`a field of ${n} bytes running past the end of its message`)
    this.pos = start + n
    return { start, end: start + n }
  }

  string(): string {
    const s = this.length()
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + s.start, s.end - s.start).toString('utf8')
  }

  /** Skips a field of the given wire type (groups, long deprecated, are refused). */
  skip(wire: number): void {
    if (wire === VARINT) this.rawVarint()
    else if (wire === FIXED64) this.advance(8)
    else if (wire === LENGTH) this.length()
    else if (wire === FIXED32) this.advance(4)
    else this.damaged(`a field of wire type ${wire}`)
  }

  private advance(n: number): void {
    if (this.pos + n > this.span.end) this.damaged('a value cut short')
    this.pos += n
  }

  /** Expects the wire type a field must have. */
  expect(wire: number, actual: number, field: string): void {
    if (wire !== actual) this.damaged(`field "${field}" with wire type ${actual}`)
  }
}

/** The number of varints in a packed span: one per byte without the continuation bit. Allocates nothing. */
export function countVarints(bytes: Uint8Array, span: Span): number {
  let n = 0
  for (let i = span.start; i < span.end; i++) if ((bytes[i] & 0x80) === 0) n++
  return n
}

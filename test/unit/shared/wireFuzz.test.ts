import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeFrame, encodeFrame, typedArrayKinds, WireError, type TypedArrayKind } from '../../../src-shared/wire'

const kinds = typedArrayKinds
type Kind = TypedArrayKind

/** A frame assembled by hand, so a test can write any header over any bytes. */
function rawFrame(header: unknown, body: Uint8Array, pooled = false): Uint8Array {
  const text = new TextEncoder().encode(JSON.stringify(header))
  const start = Math.ceil((4 + text.length) / 8) * 8
  // Buffer.from on a small input lands in Node's shared pool, next to other allocations.
  const frame = pooled ? Buffer.from(new Uint8Array(start + body.length)) : new Uint8Array(start + body.length)
  new DataView(frame.buffer, frame.byteOffset, frame.byteLength).setUint32(0, text.length, true)
  frame.set(text, 4)
  frame.set(body, start)
  return frame
}

/**
 * What a correct decode of `frame` must hold, computed independently of wire.ts with BigInt
 * arithmetic: the refs in header order, each inside the frame, and the arrays' exact bytes.
 */
function expectedArrays(frame: Uint8Array): { kind: Kind; bytes: Uint8Array }[] | null {
  if (frame.byteLength < 4) return null
  const headerLength = BigInt(new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0, true))
  const size = BigInt(frame.byteLength)
  if (headerLength + 4n > size) return null
  let header: unknown
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(frame.subarray(4, 4 + Number(headerLength))))
  } catch {
    return null
  }
  const refs: { $bin: unknown; kind: unknown; length: unknown }[] = []
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk)
    if (v && typeof v === 'object') {
      const r = v as { $bin?: unknown; kind?: unknown; length?: unknown }
      if (typeof r.$bin === 'number' && typeof r.kind === 'string') refs.push(r as { $bin: unknown; kind: unknown; length: unknown })
      else Object.values(v).forEach(walk)
    }
  }
  walk(header)
  const pad = (n: bigint): bigint => ((n + 7n) / 8n) * 8n
  let at = pad(4n + headerLength)
  const out: { kind: Kind; bytes: Uint8Array }[] = []
  for (const [i, ref] of refs.entries()) {
    if (ref.$bin !== i || typeof ref.kind !== 'string' || !Object.hasOwn(kinds, ref.kind)) return null
    if (typeof ref.length !== 'number' || !Number.isSafeInteger(ref.length) || ref.length < 0) return null
    const kind = ref.kind as Kind
    const end = at + BigInt(ref.length) * BigInt(kinds[kind].BYTES_PER_ELEMENT)
    if (end > size) return null
    out.push({ kind, bytes: frame.slice(Number(at), Number(end)) })
    at = pad(end)
  }
  return at === size ? out : null
}

function arraysIn(value: unknown, found: ArrayBufferView[] = []): ArrayBufferView[] {
  if (ArrayBuffer.isView(value)) found.push(value)
  else if (Array.isArray(value)) value.forEach((v) => arraysIn(v, found))
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => arraysIn(v, found))
  return found
}

const typedArray = fc.constantFrom(...(Object.keys(kinds) as Kind[])).chain((kind) =>
  fc.uint8Array({ maxLength: 64 }).map((raw) => {
    const n = Math.floor(raw.length / kinds[kind].BYTES_PER_ELEMENT)
    return new kinds[kind](raw.slice(0, n * kinds[kind].BYTES_PER_ELEMENT).buffer)
  })
)
const leaf = fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.boolean(), fc.constant(null), typedArray)
const message = fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.oneof(leaf, fc.array(leaf, { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 4 }), leaf, { maxKeys: 3 })), { maxKeys: 6 })

/** A damaged copy of a frame: flipped bytes, cut, extended, or a new header length. */
const mutation = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('extend' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 24 }) }),
  fc.record({ op: fc.constant('headerLength' as const), value: fc.oneof(fc.nat(), fc.constantFrom(0, 0x7fffffff, 0x80000000, 0xffffffff)) }),
  fc.record({ op: fc.constant('field' as const), name: fc.constantFrom('length', '$bin'), value: fc.oneof(fc.integer({ min: -64, max: 64 }), fc.constantFrom(-1, 2 ** 31, 2 ** 32, 2 ** 53, -(2 ** 31), 1.5, 1e308)) })
)
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never

function mutate(frame: Uint8Array, m: Mutation): Uint8Array {
  const copy = frame.slice()
  switch (m.op) {
    case 'flip':
      if (copy.length) copy[m.at % copy.length] = m.value
      return copy
    case 'cut':
      return copy.subarray(0, m.at % (copy.length + 1))
    case 'extend': {
      const longer = new Uint8Array(copy.length + m.bytes.length)
      longer.set(copy)
      longer.set(m.bytes, copy.length)
      return longer
    }
    case 'headerLength':
      if (copy.length >= 4) new DataView(copy.buffer).setUint32(0, m.value, true)
      return copy
    case 'field': {
      // Rewrite the first such field in the header, keeping the array bytes where they were.
      try {
        const headerLength = new DataView(copy.buffer, copy.byteOffset, copy.byteLength).getUint32(0, true)
        const header = new TextDecoder().decode(copy.subarray(4, 4 + headerLength))
        const changed = header.replace(new RegExp(`"\\${m.name}":-?\\d+`), `"${m.name}":${m.value}`)
        const start = Math.ceil((4 + headerLength) / 8) * 8
        return rawFrame(JSON.parse(changed), copy.subarray(start))
      } catch {
        return copy // an earlier mutation already broke the header
      }
    }
  }
}

describe('binary frame decoder under fuzzing', () => {
  it('round-trips every valid frame exactly', () => {
    fc.assert(
      fc.property(message, (msg) => {
        const decoded = decodeFrame(encodeFrame(msg))
        expect(decoded).toEqual(msg)
        for (const array of arraysIn(decoded)) expect(array.byteLength).toBe(array.buffer.byteLength)
      }),
      { numRuns: 2000 }
    )
  })

  it('decodes a damaged frame to exactly the arrays its header names, or throws WireError', () => {
    let decodedCount = 0
    let refusedCount = 0
    fc.assert(
      fc.property(message, fc.array(mutation, { minLength: 1, maxLength: 3 }), (msg, mutations) => {
        const frame = mutations.reduce(mutate, encodeFrame(msg))
        const expected = expectedArrays(frame)
        let decoded: unknown
        try {
          decoded = decodeFrame(frame)
        } catch (err) {
          expect(err).toBeInstanceOf(WireError)
          refusedCount++
          return
        }
        decodedCount++
        expect(expected, 'decoded a frame that is not well formed').not.toBeNull()
        const arrays = arraysIn(decoded)
        expect(arrays.length).toBe(expected!.length)
        arrays.forEach((array, i) => {
          expect(array.constructor.name).toBe(expected![i].kind)
          expect(new Uint8Array(array.buffer, array.byteOffset, array.byteLength)).toEqual(expected![i].bytes)
          // A copy of its own: never a view of the frame or of a pooled buffer behind it.
          expect(array.buffer).not.toBe(frame.buffer)
          expect(array.buffer.byteLength).toBe(array.byteLength)
        })
      }),
      { numRuns: 5000 }
    )
    console.log(`fuzz: ${decodedCount} damaged frames decoded consistently, ${refusedCount} refused with WireError`)
    expect(refusedCount).toBeGreaterThan(1000)
  })

  it('refuses a negative length instead of reading before the next array (pooled buffer)', () => {
    const frame = rawFrame({ a: { $bin: 0, kind: 'Uint8Array', length: -16 }, b: { $bin: 1, kind: 'Uint8Array', length: 8 } }, new Uint8Array(8).fill(7), true)
    expect(() => decodeFrame(frame)).toThrow(WireError)
  })

  it('refuses a length of 2^31, which wrapped the 32-bit alignment', () => {
    const frame = rawFrame({ a: { $bin: 0, kind: 'Uint8Array', length: 2 ** 31 } }, new Uint8Array(0))
    expect(() => decodeFrame(frame)).toThrow(WireError)
    const wide = rawFrame({ a: { $bin: 0, kind: 'Float32Array', length: 2 ** 30 } }, new Uint8Array(0))
    expect(() => decodeFrame(wide)).toThrow(WireError)
  })

  it('refuses unknown kinds, fractional lengths, repeated indices and inherited names', () => {
    for (const ref of [
      { $bin: 0, kind: 'constructor', length: 0 },
      { $bin: 0, kind: 'BigInt64Array', length: 0 },
      { $bin: 0, kind: 'Uint8Array', length: 0.5 },
      { $bin: 1, kind: 'Uint8Array', length: 0 }
    ]) {
      expect(() => decodeFrame(rawFrame({ a: ref }, new Uint8Array(0))), JSON.stringify(ref)).toThrow(WireError)
    }
    const twice = { $bin: 0, kind: 'Uint8Array', length: 8 }
    expect(() => decodeFrame(rawFrame({ a: twice, b: twice }, new Uint8Array(8)))).toThrow(WireError)
  })
})

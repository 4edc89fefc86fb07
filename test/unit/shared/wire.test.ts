import { describe, expect, it } from 'vitest'
import { decodeFrame, encodeFrame, hasBinary } from '../../../src-shared/wire'

describe('binary wire frames', () => {
  it('round-trips typed arrays as raw bytes alongside JSON', () => {
    const weights = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 1e3)
    const labels = new Int32Array([3, 1, 4, 1, 5])
    const bytes = new Uint8Array([1, 2, 3])
    const message = { t: 'result', id: 7, ok: true, value: { name: 'conv1', weights, nested: [{ labels }, bytes], shape: [2, 2] } }
    expect(hasBinary(message)).toBe(true)
    const frame = encodeFrame(message)
    // The arrays are not JSON number lists: the frame is about header + raw bytes in size.
    expect(frame.byteLength).toBeLessThan(400 + weights.byteLength + labels.byteLength + bytes.byteLength)
    const decoded = decodeFrame(frame) as typeof message
    expect(decoded.value.weights).toBeInstanceOf(Float32Array)
    expect(Array.from(decoded.value.weights)).toEqual(Array.from(weights))
    expect(decoded.value.nested[0]).toEqual({ labels })
    expect(decoded.value.nested[1]).toBeInstanceOf(Uint8Array)
    expect(decoded.value.shape).toEqual([2, 2])
  })

  it('sends Node Buffers as Uint8Array and handles a subarray view', () => {
    const big = new Float32Array([9, 8, 7, 6, 5])
    const frame = encodeFrame({ buf: Buffer.from([250, 251]), view: big.subarray(1, 3) })
    const decoded = decodeFrame(frame) as { buf: Uint8Array; view: Float32Array }
    expect(Array.from(decoded.buf)).toEqual([250, 251])
    expect(Array.from(decoded.view)).toEqual([8, 7])
  })

  it('rejects truncated frames', () => {
    const frame = encodeFrame({ x: new Float64Array(100) })
    expect(() => decodeFrame(frame.subarray(0, 50))).toThrow()
    expect(() => decodeFrame(new Uint8Array([1]))).toThrow()
  })

  it('reports no binary for plain JSON', () => {
    expect(hasBinary({ a: [1, 2, { b: 'c' }] })).toBe(false)
  })
})

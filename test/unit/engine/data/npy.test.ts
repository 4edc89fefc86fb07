import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ApiError } from '../../../../src-shared/errors'
import { encodeNpy, parseNpy, readNpy, writeNpy } from '../../../../src-main/engine/data/npy'
import { npyAsMatrix } from '../../../../src-main/engine/analysis/core/matrix'

const dir = mkdtempSync(join(tmpdir(), 'featurelens-npy-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/**
 * Builds .npy bytes by hand, straight from the format specification, independently of
 * encodeNpy: magic, version, little-endian header length, header padded with spaces to a
 * multiple of 64 bytes and ended by a newline, then the raw data.
 */
function handNpy(dict: string, body: Uint8Array, major = 1): Uint8Array {
  const prefix = major === 1 ? 10 : 12
  const total = Math.ceil((prefix + dict.length + 1) / 64) * 64
  const header = new TextEncoder().encode(dict.padEnd(total - prefix - 1, ' ') + '\n')
  const out = new Uint8Array(total + body.length)
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0])
  const view = new DataView(out.buffer)
  if (major === 1) view.setUint16(8, header.length, true)
  else view.setUint32(8, header.length, true)
  out.set(header, prefix)
  out.set(body, total)
  return out
}

const f32Body = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer)
const f64Body = (values: number[]) => new Uint8Array(Float64Array.from(values).buffer)

function expectBadInput(fn: () => unknown, pattern: RegExp): void {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).code).toBe('bad_input')
    expect((err as ApiError).message).toMatch(pattern)
    return
  }
  throw new Error('expected a bad_input ApiError')
}

describe('npy round trip', () => {
  it('writes and reads float32 and float64 arrays of several ranks', async () => {
    const cases: Array<[Float32Array | Float64Array, number[]]> = [
      [Float32Array.from({ length: 12 }, (_, i) => i * 0.5 - 3), [3, 4]],
      [Float64Array.from({ length: 24 }, (_, i) => Math.sin(i) * 1e-7), [2, 3, 4]],
      [Float32Array.from([1.5, -2, 3]), [3]],
      [new Float64Array(0), [0, 5]]
    ]
    for (const [data, shape] of cases) {
      const path = join(dir, `rt-${shape.join('x')}.npy`)
      await writeNpy(path, data, shape)
      const back = await readNpy(path)
      expect(back.shape).toEqual(shape)
      expect(back.dtype).toBe(data instanceof Float32Array ? 'float32' : 'float64')
      expect(back.data.constructor).toBe(data.constructor)
      expect(Array.from(back.data)).toEqual(Array.from(data))
    }
  })

  it('pads the header so data starts on a 64-byte boundary', () => {
    const bytes = encodeNpy(new Float32Array(6), [2, 3])
    const headerLength = new DataView(bytes.buffer).getUint16(8, true)
    expect((10 + headerLength) % 64).toBe(0)
    expect(bytes[10 + headerLength - 1]).toBe(0x0a)
    expect(new TextDecoder().decode(bytes.subarray(10, 10 + headerLength))).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/)
  })

  it('reads hand-built version 1.0, 2.0 and 3.0 files', () => {
    const dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }"
    for (const major of [1, 2, 3]) {
      const a = parseNpy(handNpy(dict, f64Body([1, 2, 3, 4]), major), `v${major}.npy`)
      expect(a.shape).toEqual([2, 2])
      expect(Array.from(a.data)).toEqual([1, 2, 3, 4])
    }
    // Older numpy wrote shape tuples with a trailing comma and spaces, and 16-byte alignment.
    const old = parseNpy(handNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", f32Body([1, 2, 3])), 'old.npy')
    expect(old.shape).toEqual([3])
  })

  it('views N-D arrays as rows × rest and 1-D arrays as one column', () => {
    const m = npyAsMatrix({ shape: [4, 2, 3, 5], dtype: 'float32', data: new Float32Array(120) }, 'maps.npy')
    expect([m.rows, m.cols]).toEqual([4, 30])
    const v = npyAsMatrix({ shape: [7], dtype: 'float64', data: new Float64Array(7) }, 'v.npy')
    expect([v.rows, v.cols]).toEqual([7, 1])
    expectBadInput(() => npyAsMatrix({ shape: [], dtype: 'float64', data: new Float64Array(1) }, 's.npy'), /s\.npy: holds a single scalar/)
    expectBadInput(() => npyAsMatrix({ shape: [0, 3], dtype: 'float64', data: new Float64Array(0) }, 'e.npy'), /e\.npy: is empty/)
  })

  it('reads from an unaligned buffer offset', () => {
    const bytes = encodeNpy(Float64Array.from([1, 2, 3]), [3])
    const shifted = new Uint8Array(bytes.length + 3)
    shifted.set(bytes, 3)
    expect(Array.from(parseNpy(shifted.subarray(3), 'x.npy').data)).toEqual([1, 2, 3])
  })
})

describe('npy rejections', () => {
  const dict = (descr: string, shape = '(2, 2)', fortran = 'False') => `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`

  it('rejects a file that is not .npy, naming it', () => {
    expectBadInput(() => parseNpy(new TextEncoder().encode('a,b\n1,2\n'), 'acts.csv'), /^acts\.csv: is not a NumPy \.npy file.*np\.save/)
    expectBadInput(() => parseNpy(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0, 0, 0, 0, 0]), 'acts.npz'), /acts\.npz: is a zip archive \(\.npz\?\)/)
    expectBadInput(() => parseNpy(new Uint8Array(0), 'empty.npy'), /empty\.npy: is not a NumPy/)
  })

  it('rejects Fortran order', () => {
    expectBadInput(() => parseNpy(handNpy(dict('<f4', '(2, 2)', 'True'), f32Body([1, 2, 3, 4])), 'f.npy'), /f\.npy: is stored in Fortran.*ascontiguousarray/)
  })

  it('rejects other dtypes, saying which and how to convert', () => {
    expectBadInput(() => parseNpy(handNpy(dict('>f4'), new Uint8Array(16)), 'be.npy'), /be\.npy: has big-endian 32-bit float dtype '>f4'.*astype\('<f4'\)/)
    expectBadInput(() => parseNpy(handNpy(dict('<i8'), new Uint8Array(32)), 'i.npy'), /i\.npy: has 64-bit signed integer dtype '<i8'.*astype\(np\.float32\)/)
    expectBadInput(() => parseNpy(handNpy(dict('|b1'), new Uint8Array(4)), 'b.npy'), /boolean dtype '\|b1'/)
    expectBadInput(() => parseNpy(handNpy(dict('<f2'), new Uint8Array(8)), 'h.npy'), /16-bit float dtype '<f2'/)
    expectBadInput(() => parseNpy(handNpy("{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, 'shape': (2,), }", new Uint8Array(16)), 's.npy'), /structured/)
  })

  it('rejects truncated files', () => {
    const full = handNpy(dict('<f8'), f64Body([1, 2, 3, 4]))
    expectBadInput(() => parseNpy(full.subarray(0, full.length - 1), 't.npy'), /t\.npy: is truncated: shape \(2, 2\) of float64 needs 32 bytes of data but the file holds 31/)
    expectBadInput(() => parseNpy(full.subarray(0, 40), 'h.npy'), /h\.npy: is truncated: the \.npy header says it is \d+ bytes/)
  })

  it('rejects NaN and infinite values, saying where', () => {
    expectBadInput(() => parseNpy(handNpy(dict('<f4'), f32Body([1, 2, NaN, 4])), 'n.npy'), /n\.npy: contains NaN at row 1, column 0 \(flat index 2\)/)
    expectBadInput(() => parseNpy(handNpy(dict('<f8', '(4,)'), f64Body([1, -Infinity, 0, 0])), 'i.npy'), /i\.npy: contains -Infinity at index 1/)
    expect(Number.isNaN(parseNpy(handNpy(dict('<f4'), f32Body([1, 2, NaN, 4])), 'n.npy', { allowNonFinite: true }).data[2])).toBe(true)
  })

  it('rejects unknown versions and malformed headers', () => {
    expectBadInput(() => parseNpy(handNpy(dict('<f4'), f32Body([1, 2, 3, 4]), 4), 'v.npy'), /version 4\.0/)
    expectBadInput(() => parseNpy(handNpy("{'descr': '<f4', 'shape': (2,), }", f32Body([1, 2])), 'm.npy'), /header is malformed/)
    expectBadInput(() => parseNpy(handNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", f32Body([1, 2])), 'm.npy'), /invalid shape/)
  })

  it('reports a missing file as not_found and a directory as bad_input', async () => {
    await expect(readNpy(join(dir, 'missing.npy'))).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/missing\.npy: no such file/) })
    await expect(readNpy(dir)).rejects.toMatchObject({ code: 'bad_input', message: expect.stringMatching(/is a directory/) })
  })
})

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0

function python(script: string): string {
  const result = spawnSync('python3', ['-c', script], { cwd: dir, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(result.stderr)
  return result.stdout.trim()
}

describe.skipIf(!hasNumpy)('interoperability with numpy', () => {
  it('reads files written by numpy, in every header version', async () => {
    python(`
import numpy as np
a = (np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 5) / 3
np.save('np_f4.npy', a)
np.save('np_f8.npy', a.astype(np.float64).reshape(6, 4))
for v in [(1, 0), (2, 0), (3, 0)]:
    with open('np_v%d.npy' % v[0], 'wb') as f:
        np.lib.format.write_array(f, a.reshape(6, 4), version=v)
np.save('np_fortran.npy', np.asfortranarray(a.reshape(6, 4)))
np.save('np_i64.npy', np.arange(6).reshape(2, 3))
np.save('np_be.npy', a.astype('>f8'))
np.save('np_nan.npy', np.array([[1.0, np.nan], [2.0, 3.0]]))
np.savez('np_zip.npz', a=a)
`)
    const expected = Array.from({ length: 24 }, (_, i) => Math.fround((i - 5) / 3))
    const f4 = await readNpy(join(dir, 'np_f4.npy'))
    expect(f4.shape).toEqual([2, 3, 4])
    expect(Array.from(f4.data)).toEqual(expected)
    const f8 = await readNpy(join(dir, 'np_f8.npy'))
    expect(f8.shape).toEqual([6, 4])
    expect(Array.from(f8.data)).toEqual(expected)
    for (const v of [1, 2, 3]) expect(Array.from((await readNpy(join(dir, `np_v${v}.npy`))).data)).toEqual(expected)

    await expect(readNpy(join(dir, 'np_fortran.npy'))).rejects.toThrowError(/np_fortran\.npy: is stored in Fortran/)
    await expect(readNpy(join(dir, 'np_i64.npy'))).rejects.toThrowError(/np_i64\.npy: has 64-bit signed integer dtype '<i8'/)
    await expect(readNpy(join(dir, 'np_be.npy'))).rejects.toThrowError(/np_be\.npy: has big-endian 64-bit float dtype '>f8'/)
    await expect(readNpy(join(dir, 'np_nan.npy'))).rejects.toThrowError(/np_nan\.npy: contains NaN at row 0, column 1/)
    await expect(readNpy(join(dir, 'np_zip.npz'))).rejects.toThrowError(/np_zip\.npz: is a zip archive/)
  })

  it('writes files numpy reads back exactly', async () => {
    await writeNpy(join(dir, 'ours_f4.npy'), Float32Array.from([0.1, -2.5, 3e-8, 7, 8, 9]), [2, 3])
    await writeNpy(join(dir, 'ours_f8.npy'), Float64Array.from([Math.PI, -1e300, 5e-324]), [3])
    const out = python(`
import json, numpy as np
a = np.load('ours_f4.npy'); b = np.load('ours_f8.npy')
print(json.dumps([str(a.dtype), a.shape, bool(a.flags['C_CONTIGUOUS']), a.ravel().tolist()]))
print(json.dumps([str(b.dtype), b.shape, b.tolist()]))
`)
    const [lineA, lineB] = out.split('\n').map((line) => JSON.parse(line))
    expect(lineA).toEqual(['float32', [2, 3], true, Array.from(Float32Array.from([0.1, -2.5, 3e-8, 7, 8, 9]))])
    expect(lineB).toEqual(['float64', [3], [Math.PI, -1e300, 5e-324]])
  })

  it('hand-built bytes equal what numpy writes for the same array', () => {
    python(`import numpy as np; np.save('np_small.npy', np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32))`)
    const numpyBytes = new Uint8Array(readFileSync(join(dir, 'np_small.npy')))
    expect(Array.from(encodeNpy(Float32Array.from([1, 2, 3, 4]), [2, 2]))).toEqual(Array.from(numpyBytes))
  })
})

/**
 * NumPy .npy files (format versions 1.0, 2.0 and 3.0), little-endian float32/float64 in C order,
 * so activations exported from any framework can be compared. Specification:
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
import { readFile, writeFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { endianness } from 'node:os'
import { ApiError } from '../../../src-shared/errors'

export type NpyDtype = 'float32' | 'float64'

/** The values of a float32 or float64 array (the analyses' NpyData). */
export type NpyData = Float32Array | Float64Array

export interface NpyArray {
  shape: number[]
  dtype: NpyDtype
  data: NpyData
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] // \x93NUMPY
const DESCR: Record<string, NpyDtype> = { '<f4': 'float32', '<f8': 'float64' }
const SAVE_HINT = 'save it with np.save(path, np.ascontiguousarray(arr, dtype=np.float32))'

function fail(name: string, what: string): never {
  throw new ApiError('bad_input', `${name}: ${what}`)
}

function describeDescr(descr: string): string {
  const kinds: Record<string, string> = { f: 'float', i: 'signed integer', u: 'unsigned integer', b: 'boolean', c: 'complex', U: 'unicode string', S: 'byte string', O: 'Python object', M: 'datetime', m: 'timedelta', V: 'void/structured' }
  const m = /^([<>|=])([a-zA-Z])(\d*)$/.exec(descr)
  if (!m) return `dtype ${descr}`
  const order = m[1] === '>' ? 'big-endian ' : ''
  const bits = m[3] && m[2] !== 'U' && m[2] !== 'S' ? `${Number(m[3]) * 8}-bit ` : ''
  return `${order}${bits}${kinds[m[2]] ?? 'unknown'} dtype '${descr}'`
}

/** Parses the header dict literal numpy writes, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }. */
function parseHeader(text: string, name: string): { descr: string; fortranOrder: boolean; shape: number[] } {
  const descrList = /'descr'\s*:\s*\[/.test(text)
  if (descrList) fail(name, `holds a structured (record) array; only plain float32/float64 arrays are supported; ${SAVE_HINT}`)
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1]
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1]
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1]
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    fail(name, `the .npy header is malformed (expected descr, fortran_order and shape): ${JSON.stringify(text.trim().slice(0, 120))}`)
  }
  const parts = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0)
  const shape = parts.map((s) => {
    if (!/^\d+L?$/.test(s)) fail(name, `the .npy header has an invalid shape (${shapeText})`)
    return Number.parseInt(s, 10)
  })
  return { descr, fortranOrder: fortran === 'True', shape }
}

function copyFloats(bytes: Uint8Array, offset: number, count: number, dtype: NpyDtype): NpyData {
  const out = dtype === 'float32' ? new Float32Array(count) : new Float64Array(count)
  const size = count * out.BYTES_PER_ELEMENT
  if (endianness() === 'LE') {
    // A byte copy also fixes alignment: Node Buffers often start at odd offsets in their pool.
    new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + size))
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, size)
    for (let i = 0; i < count; i++) out[i] = dtype === 'float32' ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true)
  }
  return out
}

/** A shape as NumPy prints it: `(7,)`, `(2, 3)`. */
export function formatShape(shape: number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`
}

/**
 * Decodes .npy bytes. `name` (usually the file name) starts every error message. Rejects, with a
 * message saying what to do: bad magic, unknown version, Fortran order, dtypes other than
 * '<f4'/'<f8', truncated data, and (unless allowNonFinite) NaN or ±Inf values.
 */
export function parseNpy(bytes: Uint8Array, name: string, options: { allowNonFinite?: boolean } = {}): NpyArray {
  if (bytes.length >= 2 && bytes[0] === 0x50 && bytes[1] === 0x4b) {
    fail(name, 'is a zip archive (.npz?), not an .npy file; load it with np.load and np.save the array you need to its own .npy file')
  }
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    fail(name, `is not a NumPy .npy file (it does not start with "\\x93NUMPY"); ${SAVE_HINT}`)
  }
  const major = bytes[6]
  const minor = bytes[7]
  if (![1, 2, 3].includes(major) || minor !== 0) fail(name, `uses .npy format version ${major}.${minor}; versions 1.0, 2.0 and 3.0 are supported`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const lengthBytes = major === 1 ? 2 : 4
  if (bytes.length < 8 + lengthBytes) fail(name, 'is truncated inside the .npy header')
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true)
  const dataOffset = 8 + lengthBytes + headerLength
  if (dataOffset > bytes.length) fail(name, `is truncated: the .npy header says it is ${headerLength} bytes but the file ends first`)
  const decoder = new TextDecoder(major === 3 ? 'utf-8' : 'latin1')
  const header = parseHeader(decoder.decode(bytes.subarray(8 + lengthBytes, dataOffset)), name)

  const dtype = DESCR[header.descr]
  if (!dtype) {
    const hint = header.descr.startsWith('>') ? "convert it with arr.astype('<f4')" : 'convert it with arr.astype(np.float32)'
    fail(name, `has ${describeDescr(header.descr)}; only little-endian float32 ('<f4') and float64 ('<f8') are supported; ${hint} and save again`)
  }
  if (header.fortranOrder) fail(name, `is stored in Fortran (column-major) order; save it in C order with np.save(path, np.ascontiguousarray(arr))`)

  const count = header.shape.reduce((a, b) => a * b, 1)
  const itemSize = dtype === 'float32' ? 4 : 8
  const available = bytes.length - dataOffset
  if (available < count * itemSize) {
    fail(name, `is truncated: shape ${formatShape(header.shape)} of ${dtype} needs ${count * itemSize} bytes of data but the file holds ${available}; export it again`)
  }
  const data = copyFloats(bytes, dataOffset, count, dtype)
  if (!options.allowNonFinite) {
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        const cols = header.shape.length > 1 ? count / header.shape[0] : 1
        const where = header.shape.length > 1 ? `row ${Math.floor(i / cols)}, column ${i % cols}` : `index ${i}`
        fail(name, `contains ${data[i]} at ${where} (flat index ${i}); remove or replace non-finite values (e.g. np.nan_to_num) before exporting`)
      }
    }
  }
  return { shape: header.shape, dtype, data }
}

export async function readNpy(path: string, options: { allowNonFinite?: boolean } = {}): Promise<NpyArray> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new ApiError('not_found', `${path}: no such file; check the path`)
    if (code === 'ERR_FS_FILE_TOO_LARGE') throw new ApiError('bad_input', `${path}: is larger than 2 GB, which cannot be read in one piece; export fewer examples or features`)
    if (code === 'EISDIR') throw new ApiError('bad_input', `${path}: is a directory; give the path of an .npy file`)
    throw new ApiError('bad_input', `${path}: cannot be read (${code ?? (err as Error).message})`)
  }
  return parseNpy(bytes, basename(path), options)
}

/** Encodes a C-order little-endian array as .npy: version 1.0, or 2.0 if the header needs it. */
export function encodeNpy(data: NpyData, shape: number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1)
  if (count !== data.length) throw new ApiError('bad_input', `shape ${formatShape(shape)} holds ${count} values but the array has ${data.length}`)
  const descr = data instanceof Float32Array ? '<f4' : '<f8'
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${formatShape(shape)}, }`
  // numpy pads with spaces so the data starts on a 64-byte boundary, ending the header with \n.
  let major = 1
  let prefix = 10
  if (Math.ceil((prefix + dict.length + 1) / 64) * 64 - prefix > 0xffff) {
    major = 2
    prefix = 12
  }
  const headerLength = Math.ceil((prefix + dict.length + 1) / 64) * 64 - prefix
  const header = dict.padEnd(headerLength - 1, ' ') + '\n'
  const out = new Uint8Array(prefix + headerLength + data.byteLength)
  out.set(MAGIC, 0)
  out[6] = major
  out[7] = 0
  const view = new DataView(out.buffer)
  if (major === 1) view.setUint16(8, headerLength, true)
  else view.setUint32(8, headerLength, true)
  out.set(new TextEncoder().encode(header), prefix)
  if (endianness() === 'LE') {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), prefix + headerLength)
  } else {
    const body = new DataView(out.buffer, prefix + headerLength)
    for (let i = 0; i < data.length; i++) {
      if (data instanceof Float32Array) body.setFloat32(i * 4, data[i], true)
      else body.setFloat64(i * 8, data[i], true)
    }
  }
  return out
}

export async function writeNpy(path: string, data: NpyData, shape: number[]): Promise<void> {
  await writeFile(path, encodeNpy(data, shape))
}

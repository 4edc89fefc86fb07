import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { ApiError } from '../../../../../src-shared/errors'
import { modelFileKindNames } from '../../../../../src-shared/model'
import { detectModelFormat, modelFileFormats } from '../../../../../src-main/engine/models/formats/registry'

const dir = mkdtempSync(join(tmpdir(), 'featurelens-formats-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const file = (name: string, bytes: string | Uint8Array) => {
  const path = join(dir, name)
  writeFileSync(path, bytes)
  return path
}
const HDF5 = Buffer.from('\x89HDF\r\n\x1a\n rest', 'latin1')
const ZIP = Buffer.from('PK\x03\x04 rest', 'latin1')

describe('the model format registry', () => {
  it('gives each kind of file to its format, by folder, extension and first bytes', async () => {
    const folder = join(dir, 'tfjs')
    mkdirSync(folder)
    const label = async (path: string) => (await detectModelFormat(path)).label
    expect(await label(folder)).toBe('TF.js Layers')
    expect(await label(file('model.json', '{}'))).toBe('TF.js Layers')
    expect(await label(file('net.ONNX', 'x'))).toBe('ONNX')
    expect(await label(file('net.h5', HDF5))).toBe('Keras 2 (.h5)')
    expect(await label(file('net.hdf5', HDF5))).toBe('Keras 2 (.h5)')
    expect(await label(file('net.keras', ZIP))).toBe('Keras 3 (.keras)')
    // Keras 3 writes a zip whatever the name says.
    expect(await label(file('renamed.h5', ZIP))).toBe('Keras 3 (.keras)')
  })

  it('has one format for each kind of file the contract lists, and no two claim the same file', async () => {
    expect(Object.keys(modelFileFormats)).toEqual(Object.keys(modelFileKindNames))
    expect(Object.values(modelFileFormats).map((f) => [f.label, f.format])).toEqual([
      ['TF.js Layers', 'tfjs'],
      ['ONNX', 'onnx'],
      ['Keras 2 (.h5)', 'keras'],
      ['Keras 3 (.keras)', 'keras']
    ])
    const probes = [
      { path: 'dir', isDirectory: true, extension: '', head: new Uint8Array(0) },
      ...['.json', '.onnx', '.h5', '.hdf5', '.keras'].flatMap((extension) =>
        [HDF5, ZIP, Buffer.from('{}')].map((head) => ({ path: `m${extension}`, isDirectory: false, extension, head: new Uint8Array(head.subarray(0, 8)) }))
      )
    ]
    for (const probe of probes) {
      const claims = Object.values(modelFileFormats).filter((f) => f.detect(probe)).map((f) => f.label)
      expect(claims.length, `${probe.path} ${Buffer.from(probe.head).toString('latin1')}`).toBe(1)
    }
  })

  it('refuses a missing path, an unknown extension and a pipe, naming the path and what opens', async () => {
    const refusal = async (path: string) => {
      const err = await detectModelFormat(path).then(() => null, (e: unknown) => e)
      expect(err).toBeInstanceOf(ApiError)
      return (err as ApiError).message
    }
    expect(await refusal(join(dir, 'nope.onnx'))).toMatch(/nope\.onnx does not exist; Featurelens opens TF\.js folders .*Keras 3 \.keras archives/)
    expect(await refusal(file('weights.pt', 'x'))).toMatch(/weights\.pt: Featurelens opens TF\.js folders .*; "\.pt" is none of them/)
    const fifo = join(dir, 'pipe.onnx')
    execFileSync('mkfifo', [fifo])
    expect(await refusal(fifo)).toMatch(/pipe\.onnx is a named pipe \(FIFO\), not a file/)
  })
})

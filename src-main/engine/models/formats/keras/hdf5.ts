import { randomBytes } from 'node:crypto'
import { ApiError } from '../../../../../src-shared/errors'

type H5 = typeof import('h5wasm')

let h5: Promise<{ lib: H5; fs: { writeFile(path: string, data: Uint8Array): void; unlink(path: string): void } }> | null = null

/** h5wasm's in-memory build: the file's bytes are read here (checked, without blocking) and handed over. */
function hdf5(): Promise<{ lib: H5; fs: { writeFile(path: string, data: Uint8Array): void; unlink(path: string): void } }> {
  h5 ??= import('h5wasm').then(async (lib) => {
    const module = (await lib.ready) as unknown as { FS: { writeFile(path: string, data: Uint8Array): void; unlink(path: string): void } }
    return { lib, fs: module.FS }
  })
  return h5
}

export type H5File = InstanceType<H5['File']>
export type H5Group = ReturnType<H5File['get']>

/** Opens HDF5 bytes; the callback reads them, and the in-memory file is removed afterwards. */
export async function withHdf5<T>(bytes: Uint8Array, path: string, read: (file: H5File) => T): Promise<T> {
  const { lib, fs } = await hdf5()
  if (bytes.length < 8 || Buffer.from(bytes.subarray(0, 8)).toString('latin1') !== '\x89HDF\r\n\x1a\n') {
    throw new ApiError('bad_input', `${path} is not an HDF5 file (it lacks the HDF5 signature); give a Keras .h5 file saved with model.save`)
  }
  const name = `/featurelens-${randomBytes(6).toString('hex')}.h5`
  fs.writeFile(name, bytes)
  let file: H5File | null = null
  try {
    try {
      file = new lib.File(name, 'r')
    } catch {
      throw new ApiError('bad_input', `${path} is a damaged HDF5 file; save the model again`)
    }
    try {
      return read(file)
    } catch (err) {
      if (err instanceof ApiError) throw err
      throw new ApiError('bad_input', `${path} is a damaged or incomplete HDF5 file (it cannot be read to the end); save the model again`)
    }
  } finally {
    file?.close()
    fs.unlink(name)
  }
}

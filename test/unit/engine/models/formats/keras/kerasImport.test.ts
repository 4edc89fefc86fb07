import * as tf from '@tensorflow/tfjs'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError } from '../../../../../../src-shared/errors'
import { layerActivations } from '../../../../../../src-main/engine/analysis/core/layerActivations'
import { loadKeras2Model } from '../../../../../../src-main/engine/models/formats/keras/keras2'
import { openModelFile } from '../../../../../../src-main/engine/models/openModel'
import { modelFixtures, reference, relativeError, toNchw } from '../../../../../support/modelFixtures'

/**
 * residual.h5 is written by test/fixtures/models/make_keras_fixtures.py in Keras 2's HDF5 layout;
 * its reference outputs come from the equivalent PyTorch model with the same weights.
 */

const dir = mkdtempSync(join(tmpdir(), 'featurelens-keras-'))
beforeAll(async () => {
  await tf.setBackend('cpu')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (err) {
    if (err instanceof ApiError && err.code === 'bad_input') return err.message
    throw err
  }
  throw new Error('expected a bad_input error')
}

describe('Keras .h5 import', () => {
  it('computes the logits and activations of the equivalent PyTorch model', async () => {
    const ref = await reference('residual')
    const model = await loadKeras2Model(join(modelFixtures, 'residual.h5'))
    expect(model.layers.map((l) => l.name)).toEqual(['image', 'conv1', 'bn1', 'conv2', 'add', 'relu', 'pool', 'flatten', 'logits'])
    const logits = model.predict(ref.inputs) as tf.Tensor
    expect(relativeError(logits.dataSync(), ref.logits.data)).toBeLessThan(1e-4)
    const act = layerActivations(model, ref.inputs, ['relu']).get('relu') as tf.Tensor
    expect(relativeError(toNchw(act), ref.activation.data)).toBeLessThan(1e-4)
    tf.dispose([logits, act, ref.inputs])
    model.dispose()
  })

  it('names an unsupported layer and refuses weights-only files, damaged Keras 3 archives and non-HDF5 files', async () => {
    // Rename a layer class inside the stored config: the HDF5 attribute is rewritten byte for byte.
    const bytes = readFileSync(join(modelFixtures, 'residual.h5'))
    const at = bytes.indexOf('"class_name": "Add"')
    expect(at).toBeGreaterThan(0)
    const edited = Buffer.from(bytes)
    edited.write('"class_name": "Mul"', at, 'latin1')
    const custom = join(dir, 'custom.h5')
    writeFileSync(custom, edited)
    expect(await failure(loadKeras2Model(custom))).toMatch(/custom\.h5 uses the layer class "Mul" \(layer "add"\), which Featurelens cannot build/)

    const zip = join(dir, 'model.keras')
    writeFileSync(zip, Buffer.from('PK\x03\x04 rest of a zip'))
    expect(await failure(openModelFile(zip))).toMatch(/model\.keras is a damaged zip archive/) // a zip opens as a Keras 3 archive: keras3Import.test.ts

    const text = join(dir, 'notes.h5')
    writeFileSync(text, readFileSync('/etc/passwd'))
    const message = await failure(loadKeras2Model(text))
    expect(message).toMatch(/notes\.h5 is not an HDF5 file/)
    expect(message).not.toMatch(/root:/)

    const truncated = join(dir, 'truncated.h5')
    writeFileSync(truncated, bytes.subarray(0, 3000))
    expect(await failure(loadKeras2Model(truncated))).toMatch(/truncated\.h5/)
  })
})

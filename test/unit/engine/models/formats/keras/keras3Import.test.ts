import * as tf from '@tensorflow/tfjs'
import { zipSync } from 'fflate'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError } from '../../../../../../src-shared/errors'
import { layerActivations } from '../../../../../../src-main/engine/analysis/core/layerActivations'
import { loadKeras3Model, readKerasArchive } from '../../../../../../src-main/engine/models/formats/keras/keras3'
import { snakeCase } from '../../../../../../src-main/engine/models/formats/keras/keras3Config'
import { modelFixtures, reference, relativeError, toNchw } from '../../../../../support/modelFixtures'

/**
 * residual3.keras is written by test/fixtures/models/make_keras3_fixtures.py in Keras 3's archive
 * layout (config.json, metadata.json, model.weights.h5 with layers/<class>/vars/<i>); its
 * reference outputs come from the equivalent PyTorch model with the same weights.
 */

const dir = mkdtempSync(join(tmpdir(), 'featurelens-keras3-'))
const fixture = join(modelFixtures, 'residual3.keras')
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

/** The fixture's entries, to write altered archives from. */
const entries = (): Record<string, Uint8Array> => Object.fromEntries(readKerasArchive(readFileSync(fixture), fixture))
const config = () => JSON.parse(Buffer.from(entries()['config.json']).toString('utf8'))
function archive(name: string, files: Record<string, Uint8Array>, level: 0 | 6 = 0): string {
  const path = join(dir, name)
  writeFileSync(path, zipSync(files, { level }))
  return path
}

describe('Keras 3 .keras import', () => {
  it('names paths in model.weights.h5 as Keras does', () => {
    expect(['Conv2D', 'BatchNormalization', 'MaxPooling2D', 'InputLayer', 'Dense', 'DepthwiseConv2D', 'ReLU'].map(snakeCase)).toEqual([
      'conv2d',
      'batch_normalization',
      'max_pooling2d',
      'input_layer',
      'dense',
      'depthwise_conv2d',
      're_lu'
    ])
  })

  it('computes the logits and activations of the equivalent PyTorch model', async () => {
    const ref = await reference('residual3')
    const model = await loadKeras3Model(fixture)
    expect(model.layers.map((l) => l.name)).toEqual(['pixels', 'stem', 'stem_bn', 'branch', 'merge', 'merge_relu', 'pool', 'flat', 'scores'])
    const logits = model.predict(ref.inputs) as tf.Tensor
    expect(logits.shape).toEqual([3, 6])
    expect(relativeError(logits.dataSync(), ref.logits.data)).toBeLessThan(1e-4)
    const act = layerActivations(model, ref.inputs, ['merge_relu']).get('merge_relu') as tf.Tensor
    expect(relativeError(toNchw(act), ref.activation.data)).toBeLessThan(1e-4)
    tf.dispose([logits, act, ref.inputs])
    model.dispose()
  })

  it('reads deflated archives as well as stored ones', async () => {
    const path = archive('deflated.keras', entries(), 6)
    const ref = await reference('residual3')
    const model = await loadKeras3Model(path)
    const logits = model.predict(ref.inputs) as tf.Tensor
    expect(relativeError(logits.dataSync(), ref.logits.data)).toBeLessThan(1e-4)
    tf.dispose([logits, ref.inputs])
    model.dispose()
  })

  it('opens a Sequential model saved without an Input layer', async () => {
    const c = config()
    const layers = c.config.layers.filter((l: { class_name: string }) => !['InputLayer', 'BatchNormalization', 'Add'].includes(l.class_name))
    for (const l of layers) delete l.inbound_nodes
    layers.find((l: { name: string }) => l.name === 'branch').config.filters = 8
    const sequential = { module: 'keras', class_name: 'Sequential', config: { name: 'seq', trainable: true, layers }, registered_name: null, build_config: { input_shape: [null, 16, 16, 3] } }
    // conv2d (stem), conv2d_1 (branch, 8→8 channels), dense: the weights of the fixture under the same paths.
    const e = entries()
    const path = archive('sequential.keras', { ...e, 'config.json': new TextEncoder().encode(JSON.stringify(sequential)) })
    const model = await loadKeras3Model(path)
    expect(model.layers.map((l) => l.name)).toEqual(['stem', 'branch', 'merge_relu', 'pool', 'flat', 'scores'])
    const reference3 = await loadKeras3Model(fixture)
    expect(relativeError(model.getLayer('scores').getWeights()[0].dataSync(), reference3.getLayer('scores').getWeights()[0].dataSync())).toBe(0)
    for (const m of [model, reference3]) m.dispose()
  })

  it('refuses damaged, incomplete, oversized and foreign archives with the file and the problem', async () => {
    const notZip = join(dir, 'model.keras')
    writeFileSync(notZip, Buffer.from('PK\x03\x04 rest of a zip'))
    expect(await failure(loadKeras3Model(notZip))).toMatch(/model\.keras is a damaged zip archive/)

    const e = entries()
    const { 'model.weights.h5': weights, ...noWeights } = e
    expect(await failure(loadKeras3Model(archive('noweights.keras', noWeights)))).toMatch(/noweights\.keras has no model\.weights\.h5/)
    expect(await failure(loadKeras3Model(archive('npz.keras', { ...noWeights, 'model.weights.npz': new Uint8Array(10) })))).toMatch(/its weights are in model\.weights\.npz/)
    const { 'config.json': _config, ...noConfig } = e
    expect(_config.length).toBeGreaterThan(0)
    expect(await failure(loadKeras3Model(archive('noconfig.keras', noConfig)))).toMatch(/noconfig\.keras has no config\.json/)

    // A zip bomb: 3 GB of zeros declared for the weights entry. Refused from the directory alone.
    const bomb = Buffer.from(zipSync({ 'config.json': e['config.json'], 'model.weights.h5': new Uint8Array(1000) }, { level: 6 }))
    const central = bomb.lastIndexOf(Buffer.from('PK\x01\x02'))
    const local = bomb.indexOf(Buffer.from('model.weights.h5')) - 30
    for (const [at, offset] of [
      [central, 24],
      [local, 22]
    ]) bomb.writeUInt32LE(3_000_000_000, at + offset)
    const bombPath = join(dir, 'bomb.keras')
    writeFileSync(bombPath, bomb)
    expect(await failure(loadKeras3Model(bombPath))).toMatch(/bomb\.keras: "model\.weights\.h5" would inflate to 3000000000 bytes, more than the \d+ Featurelens reads/)

    const text = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))
    expect(await failure(loadKeras3Model(archive('badjson.keras', { ...e, 'config.json': new TextEncoder().encode('{"class_name": ') })))).toMatch(/badjson\.keras: its config\.json is not valid JSON/)
    expect(await failure(loadKeras3Model(archive('subclassed.keras', { ...e, 'config.json': text({ module: 'my', class_name: 'MyNet', config: {}, registered_name: 'MyNet' }) })))).toMatch(/"MyNet" model, a subclassed model/)

    const unknown = config()
    unknown.config.layers[2].class_name = 'GroupNormalization'
    expect(await failure(loadKeras3Model(archive('unknown.keras', { ...e, 'config.json': text(unknown) })))).toMatch(/unknown\.keras uses the layer class "GroupNormalization" \(layer "stem_bn"\)/)

    const wider = config()
    wider.config.layers[8].config.units = 7
    expect(await failure(loadKeras3Model(archive('wider.keras', { ...e, 'config.json': text(wider) })))).toMatch(/wider\.keras: the weight "scores\/kernel" has the shape \[512, 6\] .* needs \[512, 7\]/)

    const huge = config()
    huge.config.layers[0].config.batch_shape = [null, 100000, 100000, 3]
    expect(await failure(loadKeras3Model(archive('huge.keras', { ...e, 'config.json': text(huge) })))).toMatch(/huge\.keras declares an input of 100000×100000×3/)

    expect(weights.length).toBeGreaterThan(0)
    const notH5 = await failure(loadKeras3Model(archive('passwd.keras', { ...e, 'model.weights.h5': readFileSync('/etc/passwd') })))
    expect(notH5).toMatch(/passwd\.keras \(model\.weights\.h5\) is not an HDF5 file/)
    expect(notH5).not.toMatch(/root:/)
  })
})

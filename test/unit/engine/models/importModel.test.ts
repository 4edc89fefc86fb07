import * as tf from '@tensorflow/tfjs'
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync, existsSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError } from '../../../../src-shared/errors'
import { ModelSpec } from '../../../../src-shared/model'
import { buildBuiltinModel, buildModel } from '../../../../src-main/engine/models/buildModel'
import { fileSystemHandler } from '../../../../src-main/engine/models/formats/tfjs/fileSystemHandler'
import { importModel, replaceHead } from '../../../../src-main/engine/models/importModel'
import { loadModelFromDisk } from '../../../../src-main/engine/models/formats/tfjs/tfjsLayers'

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'featurelens-import-'))
  dirs.push(dir)
  return dir
}

beforeAll(async () => {
  await tf.setBackend('cpu')
})
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

const mnist = { height: 28, width: 28, channels: 1 }
const rgb = { height: 32, width: 32, channels: 3 }
const values = (t: tf.Tensor) => Array.from(t.dataSync())

async function savedModel(name: 'minimal' | 'vgg11', input = mnist, outputs = 10): Promise<{ dir: string; model: tf.LayersModel }> {
  const dir = tempDir()
  const model = buildBuiltinModel({ name, widthMultiplier: name === 'vgg11' ? 0.125 : 1 }, input, outputs, 'softmax', 5)
  await model.save(fileSystemHandler(dir))
  return { dir, model }
}

function expectBadInput(promise: Promise<unknown>, pattern: RegExp) {
  return expect(promise).rejects.toSatisfy((err: unknown) => err instanceof ApiError && err.code === 'bad_input' && pattern.test(err.message))
}

describe('file system IOHandler', () => {
  it('round-trips a model: same topology, bitwise-equal weights', async () => {
    const { dir, model } = await savedModel('minimal')
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin'])
    const loaded = await loadModelFromDisk(dir)
    expect(loaded.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name))
    const [a, b] = [model.getWeights(), loaded.getWeights()]
    expect(b.length).toBe(a.length)
    a.forEach((w, i) => expect(values(b[i])).toEqual(values(w)))
    const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 1)
    expect(values(loaded.predict(x) as tf.Tensor)).toEqual(values(model.predict(x) as tf.Tensor))
    for (const m of [model, loaded]) m.dispose()
  })

  it('loads from a file:// URL and from the model.json path, and reads sharded weights', async () => {
    const { dir, model } = await savedModel('minimal')
    // Re-shard like tensorflowjs_converter does: several .bin files in one group.
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'))
    const bytes = readFileSync(join(dir, 'weights.bin'))
    const cut = 1000
    writeFileSync(join(dir, 'group1-shard1of2.bin'), bytes.subarray(0, cut))
    writeFileSync(join(dir, 'group1-shard2of2.bin'), bytes.subarray(cut))
    unlinkSync(join(dir, 'weights.bin'))
    json.weightsManifest[0].paths = ['group1-shard1of2.bin', 'group1-shard2of2.bin']
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json))

    for (const location of [pathToFileURL(dir).href, join(dir, 'model.json')]) {
      const loaded = await loadModelFromDisk(location)
      model.getWeights().forEach((w, i) => expect(values(loaded.getWeights()[i])).toEqual(values(w)))
      loaded.dispose()
    }
    model.dispose()
  })

  it('refuses a missing folder, a missing shard, a graph model and broken JSON, naming the file', async () => {
    const empty = tempDir()
    await expectBadInput(loadModelFromDisk(empty), /model\.json .*featurelens-import-.* is missing/)

    const { dir, model } = await savedModel('minimal')
    model.dispose()
    unlinkSync(join(dir, 'weights.bin'))
    await expectBadInput(loadModelFromDisk(dir), /weight file .*weights\.bin is missing/)

    const graph = tempDir()
    writeFileSync(join(graph, 'model.json'), JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] }))
    await expectBadInput(loadModelFromDisk(graph), /graph model.*tensorflowjs_converter/)

    const broken = tempDir()
    writeFileSync(join(broken, 'model.json'), '{ "modelTopology": ')
    await expectBadInput(loadModelFromDisk(broken), /not valid JSON/)
  })

  it('writes weights before model.json and leaves no partial files', async () => {
    const { dir, model } = await savedModel('minimal')
    model.dispose()
    expect(readdirSync(dir).some((f) => f.endsWith('.partial'))).toBe(false)
    expect(existsSync(join(dir, 'model.json'))).toBe(true)
  })
})

describe('new head for fine-tuning', () => {
  it('replaces the classifier with Dense(numOutputs) and keeps the pretrained weights', async () => {
    const { dir, model } = await savedModel('vgg11', rgb, 1000)
    const tuned = await importModel(dir, { numOutputs: 2, outputActivation: 'sigmoid', freezeBase: false, seed: 9 })
    const names = tuned.layers.map((l) => l.name)
    expect(names.slice(-3)).toEqual(['fc1', 'fc2', 'predictions'])
    expect(tuned.outputs[0].shape).toEqual([null, 2])
    expect(tuned.getLayer('predictions').getConfig().activation).toBe('sigmoid')
    expect(values(tuned.getLayer('block4_conv2').getWeights()[0])).toEqual(values(model.getLayer('block4_conv2').getWeights()[0]))
    expect(tuned.trainableWeights.length).toBe(tuned.weights.length)
    const p = tuned.predict(tf.zeros([1, 32, 32, 3])) as tf.Tensor
    expect(p.shape).toEqual([1, 2])

    // The seed fixes the new head too.
    const again = await importModel(dir, { numOutputs: 2, outputActivation: 'sigmoid', freezeBase: false, seed: 9 })
    expect(values(again.getLayer('predictions').getWeights()[0])).toEqual(values(tuned.getLayer('predictions').getWeights()[0]))
    for (const m of [model, tuned, again]) m.dispose()
  })

  it('freezes the base so only the head trains', async () => {
    const { dir, model } = await savedModel('minimal')
    const tuned = await importModel(dir, { numOutputs: 3, outputActivation: 'softmax', freezeBase: true, seed: 1 })
    expect(tuned.trainableWeights.map((w) => w.originalName)).toEqual(['predictions/kernel', 'predictions/bias'])
    tuned.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy' })
    const before = values(tuned.getLayer('conv1').getWeights()[0])
    const headBefore = values(tuned.getLayer('predictions').getWeights()[0])
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 3)
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3)
    await tuned.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 })
    expect(values(tuned.getLayer('conv1').getWeights()[0])).toEqual(before)
    expect(values(tuned.getLayer('predictions').getWeights()[0])).not.toEqual(headBefore)
    for (const m of [model, tuned]) m.dispose()
  })

  it('drops a separate softmax layer with its Dense, and pools a convolutional base', () => {
    const input = tf.input({ shape: [8, 8, 1], name: 'in' })
    const conv = tf.layers.conv2d({ name: 'conv', filters: 2, kernelSize: 3 }).apply(input) as tf.SymbolicTensor
    const flat = tf.layers.flatten({ name: 'flat' }).apply(conv) as tf.SymbolicTensor
    const logits = tf.layers.dense({ name: 'logits', units: 5 }).apply(flat) as tf.SymbolicTensor
    const probs = tf.layers.activation({ name: 'probs', activation: 'softmax' }).apply(logits) as tf.SymbolicTensor
    const withSoftmax = replaceHead(tf.model({ inputs: input, outputs: probs }), { numOutputs: 2, outputActivation: 'softmax', freezeBase: false, seed: 0 })
    expect(withSoftmax.layers.map((l) => l.name)).toEqual(['in', 'conv', 'flat', 'predictions'])

    const base = replaceHead(tf.model({ inputs: input, outputs: conv }), { numOutputs: 4, outputActivation: 'linear', freezeBase: false, seed: 0 })
    expect(base.layers.map((l) => l.name)).toEqual(['in', 'conv', 'head_pool', 'predictions'])
    expect(base.outputs[0].shape).toEqual([null, 4])
  })

  it('is what buildModel returns for an `import` spec', async () => {
    const { dir, model } = await savedModel('minimal')
    const spec = ModelSpec.parse({ name: 'import', importPath: dir, freezeBase: true })
    const tuned = await buildModel(spec, mnist, 2, 'softmax', 4)
    expect(tuned.outputs[0].shape).toEqual([null, 2])
    expect(tuned.trainableWeights).toHaveLength(2)
    for (const m of [model, tuned]) m.dispose()
  })
})

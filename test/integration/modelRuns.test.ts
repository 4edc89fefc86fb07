import * as tf from '@tensorflow/tfjs'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError } from '../../src-shared/errors'
import type { RunSummary } from '../../src-shared/run'
import { initBackend } from '../../src-main/engine/backend/select'
import { loadRunModel } from '../../src-main/engine/models/storedModel'
import { buildBuiltinModel } from '../../src-main/engine/models/buildModel'
import { fileSystemHandler } from '../../src-main/engine/models/formats/tfjs/fileSystemHandler'
import { modelFixtures, reference, relativeError } from '../support/modelFixtures'
import { openTestApi, tempDir } from '../support/workspace'

const api = openTestApi()
const files = tempDir('fl-model-runs-')
const labels = join(files, 'labels.txt')
const imageDir = join(files, 'images')

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise
  } catch (err) {
    if (err instanceof ApiError) return err
    throw err
  }
  throw new Error('expected an ApiError')
}

const runCount = async () => (await api.call('runs.list', {})).length

beforeAll(async () => {
  await initBackend()
  writeFileSync(labels, ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'].join('\n') + '\n')
  mkdirSync(imageDir)
  await sharp({ create: { width: 80, height: 60, channels: 3, background: { r: 200, g: 30, b: 40 } } }).png().toFile(join(imageDir, 'a-red.png'))
  await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 20, g: 90, b: 220 } } }).jpeg().toFile(join(imageDir, 'b-blue.jpg'))
})
afterAll(() => api.close())

describe('an ONNX model opened as it is', () => {
  let run: RunSummary

  it('becomes a completed run whose epoch 0 computes PyTorch’s logits', async () => {
    run = await api.call('models.open', { path: join(modelFixtures, 'resnet18.onnx'), labels, name: 'ResNet-18' })
    expect(run.status).toBe('completed')
    expect(run.config.source).toMatchObject({ format: 'onnx', classNamesFrom: 'labels.txt', outputs: 'logits', preprocess: { scale: 'torch', channelOrder: 'rgb' }, input: { height: 64, width: 64, channels: 3 } })
    expect(run.config.source?.classNames[3]).toBe('cat')

    // The stored model starts with the torch preprocessing, so feed it images in 0..1 that the
    // preprocessing turns into PyTorch's inputs: x = input · std + mean.
    const ref = await reference('resnet18')
    const model = await loadRunModel(api.context.db, run.id, 0)
    expect(model.layers[1].name).toBe('preprocess')
    const x = tf.tidy(() => ref.inputs.mul(tf.tensor1d([0.229, 0.224, 0.225])).add(tf.tensor1d([0.485, 0.456, 0.406])))
    const logits = model.predict(x) as tf.Tensor
    expect(relativeError(logits.dataSync(), ref.logits.data)).toBeLessThan(1e-4)
    tf.dispose([x, logits, ref.inputs])
    model.dispose()
  })

  it('predicts images and folders with the model’s class names', async () => {
    const result = await api.call('models.predict', { runId: run.id, images: [imageDir], top: 3 })
    expect(result.epoch).toBe(0)
    expect(result.classNamesFrom).toBe('labels.txt')
    expect(result.predictions.map((p) => p.image.split('/').pop())).toEqual(['a-red.png', 'b-blue.jpg'])
    for (const p of result.predictions) {
      expect(p.top).toHaveLength(3)
      expect(p.top[0].probability).toBeGreaterThanOrEqual(p.top[1].probability)
      expect(p.top.every((c) => c.name === readFileSync(labels, 'utf8').split('\n')[c.index])).toBe(true)
    }
    const all = await api.call('models.predict', { runId: run.id, images: [join(imageDir, 'a-red.png')], top: 10 })
    expect(all.predictions[0].top.reduce((s, c) => s + c.probability, 0)).toBeCloseTo(1, 5)
  })

  it('shows its feature maps, class names and preprocessing in Inspect', async () => {
    const overview = await api.call('inspect.overview', { runId: run.id })
    expect(overview.source?.preprocess.scale).toBe('torch')
    expect(overview.dataset.error).toMatch(/no dataset; upload an image/)
    expect(overview.layers.map((l) => l.name)).toContain('layer4.1.relu_1')
    const encoded = new Uint8Array(readFileSync(join(imageDir, 'a-red.png')))
    const maps = await api.call('inspect.featureMaps', { runId: run.id, epoch: 0, image: { encoded, name: 'a-red.png' } })
    const block = maps.layers.find((l) => l.name === 'layer2.1')
    expect(block?.className).toBe('Add')
    expect(block?.shape).toEqual([8, 8, 16])
    expect(maps.classNames[0]).toBe('airplane')
    expect(Array.from(maps.output ?? []).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5)
  })

  it('reports progress through the pass and each layer when asked', async () => {
    const events: { done: number; total: number; stage?: string }[] = []
    const off = api.context.events.subscribe((name, payload) => {
      const p = payload as { taskId: string; done: number; total: number; stage?: string }
      if (name === 'task.progress' && p.taskId === 'maps-1') events.push(p)
    })
    const encoded = new Uint8Array(readFileSync(join(imageDir, 'b-blue.jpg')))
    const maps = await api.call('inspect.featureMaps', { runId: run.id, epoch: 0, image: { encoded }, taskId: 'maps-1' })
    off()
    expect(events[0]).toMatchObject({ done: 0, stage: 'running the image through the network' })
    expect(events[events.length - 1]).toMatchObject({ done: maps.layers.length + 1, total: maps.layers.length + 1 })
    expect(events.every((e, i) => i === 0 || e.done >= events[i - 1].done)).toBe(true)
  })

  it('changes its preprocessing on request, and drops nothing else', async () => {
    const before = await api.call('models.predict', { runId: run.id, images: [join(imageDir, 'a-red.png')], top: 10 })
    const updated = await api.call('models.setPreprocess', { runId: run.id, preprocess: { scale: 'symmetric', channelOrder: 'rgb' } })
    expect(updated.config.source?.preprocess.scale).toBe('symmetric')
    const after = await api.call('models.predict', { runId: run.id, images: [join(imageDir, 'a-red.png')], top: 10 })
    expect(after.predictions[0].top.map((c) => c.probability)).not.toEqual(before.predictions[0].top.map((c) => c.probability))
    // The model's own weights are untouched.
    const model = await loadRunModel(api.context.db, run.id, 0)
    expect(model.getLayer('preprocess').getWeights()[1].dataSync()[0]).toBeCloseTo(-1, 6)
    model.dispose()
  })

  it('cannot be resumed or started as a training run', async () => {
    expect((await refusal(api.dispatch('runs.resume', { id: run.id }))).message).toMatch(/opened model, not trained here/)
    expect((await refusal(api.dispatch('runs.start', { config: { ...run.config } }))).message).toMatch(/source: only opening a model/)
  })
})

describe('a TF.js folder with Teachable Machine metadata', () => {
  it('takes its class names from metadata.json and its preprocessing as -1..1', async () => {
    const dir = join(files, 'tm')
    const model = buildBuiltinModel({ name: 'minimal' }, { height: 28, width: 28, channels: 3 }, 3, 'softmax', 3)
    await model.save(fileSystemHandler(dir))
    writeFileSync(join(dir, 'metadata.json'), JSON.stringify({ tfjsVersion: '1.3.1', tmVersion: '2.4.5', packageName: '@teachablemachine/image', labels: ['left', 'right', 'none'] }))
    const run = await api.call('models.open', { path: dir })
    expect(run.config.source).toMatchObject({ format: 'tfjs', classNames: ['left', 'right', 'none'], classNamesFrom: 'metadata.json', outputs: 'probabilities', preprocess: { scale: 'symmetric' } })
    // Its own head and weights: the same outputs as the model saved, for images mapped by the preprocessing.
    const stored = await loadRunModel(api.context.db, run.id, 0)
    const x = tf.randomUniform([2, 28, 28, 3], 0, 1, 'float32', 4)
    const expected = model.predict(x.mul(2).sub(1)) as tf.Tensor
    const actual = stored.predict(x) as tf.Tensor
    expect(relativeError(actual.dataSync(), expected.dataSync())).toBeLessThan(1e-5)
    tf.dispose([x, expected, actual])
    for (const m of [model, stored]) m.dispose()
  })
})

describe('a model opened with a dataset whose classes differ from its own', () => {
  it('feeds the dataset’s images; the label is the dataset’s, the outputs are named by the model', async () => {
    const data = join(files, 'shapes')
    for (const cls of ['round', 'square']) {
      mkdirSync(join(data, cls), { recursive: true })
      for (let i = 0; i < 3; i++) {
        await sharp({ create: { width: 40, height: 40, channels: 3, background: { r: 40 * i, g: cls === 'round' ? 200 : 20, b: 90 } } }).png().toFile(join(data, cls, `${i}.png`))
      }
    }
    const run = await api.call('models.open', { path: join(modelFixtures, 'vgg11.onnx'), labels, dataset: data })
    const overview = await api.call('inspect.overview', { runId: run.id })
    expect(overview.dataset.error).toBeNull()
    expect(overview.dataset.classNames).toEqual(['round', 'square'])
    const split = overview.dataset.splits[0].name
    const maps = await api.call('inspect.featureMaps', { runId: run.id, epoch: 0, image: { split, class: 1, nth: 0 } })
    expect(maps.input.labelName).toBe('square')
    expect(maps.classNames).toHaveLength(10)
    expect(maps.classNames[0]).toBe('airplane')
    expect(maps.input.height).toBe(64) // resized to the model's input
  })
})

describe('a Keras .h5 file', () => {
  it('opens as a model run with numbered classes and [0, 1] preprocessing, and computes its reference logits', async () => {
    const run = await api.call('models.open', { path: join(modelFixtures, 'residual.h5') })
    expect(run.config.source).toMatchObject({ format: 'keras', classNamesFrom: 'numbered', classNames: ['class 0', 'class 1', 'class 2', 'class 3', 'class 4'], preprocess: { scale: 'unit' } })
    const ref = await reference('residual')
    const model = await loadRunModel(api.context.db, run.id, 0)
    const logits = model.predict(ref.inputs) as tf.Tensor
    expect(relativeError(logits.dataSync(), ref.logits.data)).toBeLessThan(1e-4)
    tf.dispose([logits, ref.inputs])
    model.dispose()
  })
})

describe('bad models store nothing', () => {
  it('refuses a hostile folder, a label count that does not match and an unsupported file, leaving no run', async () => {
    const before = await runCount()
    const hostile = join(files, 'hostile')
    const model = buildBuiltinModel({ name: 'minimal' }, { height: 28, width: 28, channels: 1 }, 10, 'softmax', 5)
    await model.save(fileSystemHandler(hostile))
    model.dispose()
    const json = JSON.parse(readFileSync(join(hostile, 'model.json'), 'utf8'))
    json.weightsManifest[0].paths = ['../../../../../../etc/passwd']
    writeFileSync(join(hostile, 'model.json'), JSON.stringify(json))
    expect((await refusal(api.dispatch('models.open', { path: hostile }))).message).toMatch(/lies outside the model folder/)

    const three = join(files, 'three.txt')
    writeFileSync(three, 'a\nb\nc\n')
    expect((await refusal(api.dispatch('models.open', { path: join(modelFixtures, 'vgg11.onnx'), labels: three }))).message).toMatch(/three\.txt lists 3 class names but .*vgg11\.onnx has 10 outputs/)

    const text = join(files, 'notes.pt')
    writeFileSync(text, 'not a model')
    expect((await refusal(api.dispatch('models.open', { path: text }))).message).toMatch(/notes\.pt: Featurelens opens TF\.js folders .*"\.pt" is none of them/)
    expect(await runCount()).toBe(before)
  })
})

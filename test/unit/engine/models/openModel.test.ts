import * as tf from '@tensorflow/tfjs'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError } from '../../../../src-shared/errors'
import { readLabelsFile } from '../../../../src-main/engine/models/classNames'
import { fileSystemHandler } from '../../../../src-main/engine/models/formats/tfjs/fileSystemHandler'
import { encodeOnnx } from '../../../support/onnxEncode'
import { openModelFile } from '../../../../src-main/engine/models/openModel'
import { parsePreprocess, preprocessWeights } from '../../../../src-main/engine/models/preprocess'

const dir = mkdtempSync(join(tmpdir(), 'featurelens-open-'))
beforeAll(async () => {
  await tf.setBackend('cpu')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('preprocessing', () => {
  it('parses the stated forms and refuses others, naming the flag', () => {
    expect(parsePreprocess('[-1,1]')).toEqual({ scale: 'symmetric', channelOrder: 'rgb' })
    expect(parsePreprocess('torch,bgr')).toEqual({ scale: 'torch', channelOrder: 'bgr' })
    expect(parsePreprocess('caffe')).toEqual({ scale: 'caffe', channelOrder: 'bgr' })
    expect(() => parsePreprocess('imagenet')).toThrow(/--preprocess: "imagenet" is not a preprocessing/)
  })

  it('maps 0..1 pixels as torchvision and Keras define it (hand-computed)', () => {
    // torch: (x − 0.485) / 0.229 on red; caffe: 255·B − 103.939 into output channel 0.
    const torch = preprocessWeights({ scale: 'torch', channelOrder: 'rgb' }, 3)
    expect(torch.kernel[0]).toBeCloseTo(1 / 0.229, 5)
    expect(torch.bias[0]).toBeCloseTo(-0.485 / 0.229, 5)
    expect(torch.kernel[1]).toBe(0)
    const caffe = preprocessWeights({ scale: 'caffe', channelOrder: 'bgr' }, 3)
    expect(caffe.kernel[2 * 3 + 0]).toBe(255) // input blue -> output 0
    expect(caffe.bias[0]).toBeCloseTo(-103.939, 4)
    expect(caffe.kernel[0 * 3 + 2]).toBe(255) // input red -> output 2
    expect(() => preprocessWeights({ scale: 'torch', channelOrder: 'rgb' }, 1)).toThrow(/for RGB images but the model takes 1 channel/)
  })
})

describe('class names', () => {
  it('reads one per line, a JSON list, {"labels": …} and ImageNet’s class index', async () => {
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text)
      return join(dir, name)
    }
    expect((await readLabelsFile(write('a.txt', 'cat\r\ndog\n\n'))).names).toEqual(['cat', 'dog'])
    expect((await readLabelsFile(write('b.json', '["cat", "dog"]'))).names).toEqual(['cat', 'dog'])
    expect((await readLabelsFile(write('c.json', '{"labels": ["x", "y", "z"]}'))).names).toEqual(['x', 'y', 'z'])
    expect((await readLabelsFile(write('d.json', '{"0": ["n01440764", "tench"], "1": ["n01443537", "goldfish"]}'))).names).toEqual(['tench', 'goldfish'])
    await expect(readLabelsFile(write('e.json', '{"broken": '))).rejects.toThrow(/e\.json starts like JSON but is not valid JSON/)
  })

  it('takes an ONNX file’s "classes" metadata', async () => {
    const path = join(dir, 'meta.onnx')
    const info = (name: string, dims: (number | string)[]) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } })
    writeFileSync(path, encodeOnnx({
      irVersion: 8, opsetImport: [{ domain: '', version: 13 }], metadataProps: [{ key: 'classes', value: '["yes", "no"]' }],
      graph: {
        node: [{ opType: 'GlobalAveragePool', name: 'gap', input: ['x'], output: ['g'] }, { opType: 'Flatten', name: 'flat', input: ['g'], output: ['y'] }],
        input: [info('x', ['N', 2, 4, 4])], output: [info('y', ['N', 2])]
      }
    }))
    const opened = await openModelFile(path)
    expect(opened.source).toMatchObject({ classNames: ['yes', 'no'], classNamesFrom: `the ONNX file's "classes" metadata`, preprocess: { scale: 'unit' } }) // torch only for RGB
    opened.model.dispose()
    await expect(openModelFile(path, { preprocess: { scale: 'torch', channelOrder: 'rgb' }, inputSize: 8 })).rejects.toThrow(/fixed at 4×4 px|for RGB images/)
  })
})

describe('a TF.js Sequential model', () => {
  it('gets the preprocessing layer in front and keeps its own outputs', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [12, 12, 3], filters: 4, kernelSize: 3, activation: 'relu', name: 'c1' }),
        tf.layers.globalAveragePooling2d({ name: 'gap' }),
        tf.layers.dense({ units: 3, activation: 'softmax', name: 'out' })
      ]
    })
    const folder = join(dir, 'seq')
    await model.save(fileSystemHandler(folder))
    const opened = await openModelFile(folder, { preprocess: { scale: 'symmetric', channelOrder: 'bgr' } })
    expect(opened.model.layers.map((l) => l.name)).toEqual([expect.any(String), 'preprocess', 'c1', 'gap', 'out'])
    expect(opened.source.outputs).toBe('probabilities')
    const x = tf.randomUniform([2, 12, 12, 3], 0, 1, 'float32', 9)
    const expected = model.predict(x.reverse(-1).mul(2).sub(1)) as tf.Tensor
    const actual = opened.model.predict(x) as tf.Tensor
    expect(Array.from(actual.dataSync()).map((v, i) => Math.abs(v - expected.dataSync()[i])).every((d) => d < 1e-5)).toBe(true)
    tf.dispose([x, expected, actual])
    for (const m of [model, opened.model]) m.dispose()
  })

  it('refuses a model whose output is not one vector of classes', async () => {
    const input = tf.input({ shape: [8, 8, 3] })
    const conv = tf.model({ inputs: input, outputs: tf.layers.conv2d({ filters: 2, kernelSize: 1 }).apply(input) as tf.SymbolicTensor })
    const folder = join(dir, 'maps')
    await conv.save(fileSystemHandler(folder))
    conv.dispose()
    await expect(openModelFile(folder)).rejects.toSatisfy((e: unknown) => e instanceof ApiError && /output has the shape \[8, 8, 2\]; Featurelens opens classifiers/.test(e.message))
  })
})

import * as tf from '@tensorflow/tfjs'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError } from '../../../../../../src-shared/errors'
import { loadOnnxModel } from '../../../../../../src-main/engine/models/formats/onnx/onnxFormat'
import { encodeOnnx } from '../../../../../support/onnxEncode'
import { modelFixtures } from '../../../../../support/modelFixtures'

const dir = mkdtempSync(join(tmpdir(), 'featurelens-onnx-'))
beforeAll(async () => {
  await tf.setBackend('cpu')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const floatTensor = (name: string, dims: number[], values: number[]) => ({ name, dims, dataType: 1, floatData: values })
const valueInfo = (name: string, dims: (number | string)[]) => ({
  name,
  type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } }
})

/** Writes a one-input ONNX model built by hand (opset 13). */
function onnxFile(name: string, nodes: object[], initializers: object[], input: (number | string)[], output: (number | string)[]): string {
  const path = join(dir, name)
  writeFileSync(path, encodeOnnx({ irVersion: 8, opsetImport: [{ domain: '', version: 13 }], producerName: 'test', graph: { node: nodes, initializer: initializers, input: [valueInfo('x', input)], output: [valueInfo('y', output)] } }))
  return path
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (err) {
    if (err instanceof ApiError && err.code === 'bad_input') return err.message
    throw err
  }
  throw new Error('expected a bad_input error')
}

describe('ONNX operators checked by hand', () => {
  it('GlobalAveragePool, Flatten, Gemm, Dropout and Softmax compute what the definitions say', async () => {
    // x: 1×2×2×2; channel 0 holds 1..4 (mean 2.5), channel 1 holds 10..40 (mean 25).
    const path = onnxFile(
      'head.onnx',
      [
        { opType: 'GlobalAveragePool', name: 'gap', input: ['x'], output: ['g'] },
        { opType: 'Flatten', name: 'flat', input: ['g'], output: ['f'], attribute: [{ name: 'axis', type: 2, i: 1 }] },
        { opType: 'Gemm', name: 'fc', input: ['f', 'w', 'b'], output: ['z'], attribute: [{ name: 'transB', type: 2, i: 1 }] },
        { opType: 'Dropout', name: 'drop', input: ['z'], output: ['d'] },
        { opType: 'Softmax', name: 'soft', input: ['d'], output: ['y'], attribute: [{ name: 'axis', type: 2, i: 1 }] }
      ],
      // W (2 outputs × 2 inputs), transposed by transB: z0 = 1·2.5 + 0·25 + 0, z1 = 0·2.5 + 0.1·25 - 1
      [floatTensor('w', [2, 2], [1, 0, 0, 0.1]), floatTensor('b', [2], [0, -1])],
      ['N', 2, 2, 2],
      ['N', 2]
    )
    const { model } = await loadOnnxModel(path)
    const x = tf.tensor4d([1, 10, 2, 20, 3, 30, 4, 40], [1, 2, 2, 2]) // NHWC
    const y = Array.from((model.predict(x) as tf.Tensor).dataSync())
    const [z0, z1] = [2.5, 1.5]
    const e = [Math.exp(z0), Math.exp(z1)]
    expect(y[0]).toBeCloseTo(e[0] / (e[0] + e[1]), 6)
    expect(y[1]).toBeCloseTo(e[1] / (e[0] + e[1]), 6)
    expect(model.layers.map((l) => l.getClassName())).toEqual(['InputLayer', 'GlobalAveragePooling2D', 'Dense', 'Dropout', 'Softmax'])
    model.dispose()
  })
})

describe('bad ONNX files', () => {
  it('names an unsupported operator with its node and the opset, and builds nothing', async () => {
    const before = tf.memory().numTensors
    const path = onnxFile(
      'resize.onnx',
      [
        { opType: 'Relu', name: 'relu', input: ['x'], output: ['r'] },
        { opType: 'Resize', name: '/up/Resize', input: ['r', '', 'scales'], output: ['y'] }
      ],
      [floatTensor('scales', [4], [1, 1, 2, 2])],
      [1, 3, 8, 8],
      [1, 3, 16, 16]
    )
    expect(await failure(loadOnnxModel(path))).toMatch(/resize\.onnx: Featurelens cannot translate Resize \(node "\/up\/Resize"\) at opset 13; it translates Conv, ConvTranspose/)
    expect(tf.memory().numTensors).toBe(before)
  })

  it('names a node whose attributes cannot be translated', async () => {
    const path = onnxFile(
      'clip.onnx',
      [{ opType: 'Clip', name: 'clamp', input: ['x', 'lo', 'hi'], output: ['y'] }],
      [floatTensor('lo', [], [-1]), floatTensor('hi', [], [1])],
      [1, 3, 8, 8],
      [1, 3, 8, 8]
    )
    expect(await failure(loadOnnxModel(path))).toMatch(/clip\.onnx: node "clamp" \(Clip, opset 13\) clips to \[-1, 1\]/)
  })

  it('asks for an input size when the graph leaves it open', async () => {
    const path = onnxFile('open.onnx', [{ opType: 'Relu', name: 'relu', input: ['x'], output: ['y'] }], [], ['N', 3, 'H', 'W'], ['N', 3, 'H', 'W'])
    expect(await failure(loadOnnxModel(path))).toMatch(/leaves its height and width open; give the input size \(--input-size\)/)
    const { model } = await loadOnnxModel(path, { inputSize: 20 })
    expect(model.inputs[0].shape).toEqual([null, 20, 20, 3])
    model.dispose()
  })

  it('refuses an absurd declared input before building anything', async () => {
    const path = onnxFile('huge.onnx', [{ opType: 'Relu', name: 'relu', input: ['x'], output: ['y'] }], [], [1, 3, 100000, 100000], [1, 3, 100000, 100000])
    expect(await failure(loadOnnxModel(path))).toMatch(/huge\.onnx declares an input of 100000×100000×3, larger than Featurelens opens/)
  })

  it('refuses broken protobuf, a truncated export and a non-model file without quoting it', async () => {
    const garbage = join(dir, 'garbage.onnx')
    writeFileSync(garbage, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x34]))
    expect(await failure(loadOnnxModel(garbage))).toMatch(/garbage\.onnx is not a valid ONNX file/)

    const truncated = join(dir, 'truncated.onnx')
    writeFileSync(truncated, readFileSync(join(modelFixtures, 'smallcnn.onnx')).subarray(0, 5000))
    expect(await failure(loadOnnxModel(truncated))).toMatch(/truncated\.onnx (is not a valid ONNX file|holds no ONNX graph)/)

    const passwd = join(dir, 'passwd.onnx')
    writeFileSync(passwd, readFileSync('/etc/passwd'))
    const message = await failure(loadOnnxModel(passwd))
    expect(message).toMatch(/passwd\.onnx (is not a valid ONNX file|holds no ONNX graph)/)
    expect(message).not.toMatch(/root:/)
  })
})

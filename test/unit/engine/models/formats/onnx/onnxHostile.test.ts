import * as tf from '@tensorflow/tfjs'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError } from '../../../../../../src-shared/errors'
import { loadOnnxModel } from '../../../../../../src-main/engine/models/formats/onnx/onnxFormat'
import { encodeOnnx } from '../../../../../support/onnxEncode'
import { bytesField, modelWithInitializer, varint, varintField } from '../../../../../support/onnxWire'

/**
 * Hostile .onnx files, each written here: shapes below zero, lists far longer than their
 * tensor's shape, absurd dimensions and attributes, and Conv windows that cannot exist. Each
 * is refused with the file, the tensor or node, and the problem, before memory is spent on it.
 */
const dir = mkdtempSync(join(tmpdir(), 'featurelens-onnx-hostile-'))
beforeAll(async () => {
  await tf.setBackend('cpu')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const write = (name: string, bytes: Uint8Array) => {
  const path = join(dir, name)
  writeFileSync(path, bytes)
  return path
}
const info = (name: string, dims: (number | string)[]) => ({
  name,
  type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } }
})
const conv = (attributes: object[], weightDims = [4, 3, 3, 3]) =>
  encodeOnnx({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      node: [
        { opType: 'Conv', name: '/features/conv1/Conv', input: ['x', 'w'], output: ['c'], attribute: attributes },
        { opType: 'GlobalAveragePool', name: 'gap', input: ['c'], output: ['g'] },
        { opType: 'Flatten', name: 'flat', input: ['g'], output: ['y'] }
      ],
      initializer: [{ name: 'w', dims: weightDims, dataType: 1, floatData: new Array<number>(weightDims.reduce((n, d) => n * Math.max(d, 0), 1)).fill(0.5) }],
      input: [info('x', ['N', 3, 16, 16])],
      output: [info('y', ['N', 4])]
    }
  })
const ints = (name: string, values: number[]) => ({ name, type: 7, ints: values })

async function refusal(path: string): Promise<string> {
  const err = await loadOnnxModel(path).then(
    ({ model }) => {
      model.dispose()
      return null
    },
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(ApiError)
  return (err as ApiError).message
}

describe('hostile ONNX tensors', () => {
  it('refuses dimensions below zero, naming the tensor (not "Invalid typed array length")', async () => {
    const path = write('negative.onnx', conv([], [-10, -64, 1, 1]))
    expect(await refusal(path)).toMatch(/negative\.onnx: tensor "w" has the shape \[-10, -64, 1, 1\], with a dimension below 0/)
  })

  it('refuses a packed list longer than the shape needs before keeping its values', async () => {
    // int32_data with 200,000 zero varints for a tensor of shape [10].
    const tensor = Buffer.concat([varintField(1, 10), varintField(2, 6), bytesField(8, 'shape'), bytesField(5, Buffer.alloc(200_000))])
    expect(await refusal(write('long.onnx', modelWithInitializer(tensor)))).toMatch(/long\.onnx: tensor "shape" has 200000 values for the shape \[10\]; the file is damaged/)
    // float_data one value per tag, 3 for a shape of 2.
    const floats = Buffer.concat([varintField(1, 2), varintField(2, 1), bytesField(8, 'f'), ...[1, 2, 3].map(() => Buffer.from([0x25, 0, 0, 0x80, 0x3f]))])
    expect(await refusal(write('floats.onnx', modelWithInitializer(floats)))).toMatch(/tensor "f" has 3 values for the shape \[2\]/)
  })

  it('refuses absurd shapes and integer tensors before allocating them', async () => {
    const huge = Buffer.concat([varintField(1, 1 << 20), varintField(1, 1 << 20), varintField(2, 1), bytesField(8, 'big')])
    expect(await refusal(write('huge.onnx', modelWithInitializer(huge)))).toMatch(/tensor "big" has the shape \[1048576, 1048576\], 1099511627776 values, more than the \d+ Featurelens reads/)
    const manyDims = Buffer.concat([...Array.from({ length: 17 }, () => varintField(1, 1)), varintField(2, 1), bytesField(8, 'deep')])
    expect(await refusal(write('deep.onnx', modelWithInitializer(manyDims)))).toMatch(/deep\.onnx is not a valid ONNX file \(a tensor with more than 16 dimensions/)
    const bigInts = Buffer.concat([varintField(1, 100_000), varintField(2, 7), bytesField(8, 'ids'), bytesField(9, Buffer.alloc(800_000))])
    expect(await refusal(write('ints.onnx', modelWithInitializer(bigInts)))).toMatch(/tensor "ids" is an integer tensor of 100000 values; Featurelens reads integer tensors \(shapes, pads\) of at most 65536/)
  })

  it('refuses an attribute list and a length running past the end, naming the file', async () => {
    const path = write('pads.onnx', conv([ints('pads', new Array<number>(5000).fill(1))]))
    expect(await refusal(path)).toMatch(/pads\.onnx is not a valid ONNX file \(attribute "pads" with more than 4096 values/)
    const cut = Buffer.concat([varint(7 * 8 + 2), varint(1_000_000), Buffer.from('short')])
    expect(await refusal(write('cut.onnx', cut))).toMatch(/cut\.onnx is not a valid ONNX file \(a field of 1000000 bytes running past the end of its message/)
  })
})

describe('hostile Conv attributes, refused at the node', () => {
  const node = /node "\/features\/conv1\/Conv" \(Conv, opset 13\)/
  it.each([
    ['strides -1', [ints('strides', [-1, -1])], /has strides \[-1, -1\]; they must be 2 whole numbers of at least 1/],
    ['strides 0', [ints('strides', [0, 1])], /has strides \[0, 1\]/],
    ['dilations 0', [ints('dilations', [0, 0])], /has dilations \[0, 0\]/],
    ['three strides', [ints('strides', [1, 1, 1])], /has strides \[1, 1, 1\]; they must be 2 whole numbers/],
    ['negative pads', [ints('pads', [-1, 0, 0, 0])], /has pads \[-1, 0, 0, 0\]; they must be 4 whole numbers of at least 0/],
    ['huge pads', [ints('pads', [100000, 100000, 100000, 100000])], /makes a 200014×200014 map, larger than Featurelens translates/],
    ['kernel_shape unlike the weights', [ints('kernel_shape', [5, 5])], /declares kernel_shape \[5, 5\] but its weights are 3×3/],
    ['a window larger than the input', [ints('dilations', [10, 10])], /has a 3×3 window \(dilation 10×10\) larger than its 16×16 input/],
    ['group 0', [{ name: 'group', type: 2, i: 0 }], /has group 0, which does not divide its 4 output channels/]
  ])('%s', async (name, attributes, problem) => {
    const message = await refusal(write(`${name.replace(/\W+/g, '_')}.onnx`, conv(attributes)))
    expect(message).toMatch(node)
    expect(message).toMatch(problem)
  })

  it('refuses zero-sized weights, naming the node', async () => {
    expect(await refusal(write('zero.onnx', conv([], [4, 3, 0, 3])))).toMatch(/node "\/features\/conv1\/Conv" \(Conv, opset 13\) has weights of shape \[4, 3, 0, 3\]/)
  })
})

describe('a 140 MB hostile ONNX file', () => {
  it('is refused naming its tensor, in a process whose peak memory stays near the file size', { timeout: 120_000 }, async () => {
    // One tensor of shape [10] whose packed int32_data holds 140 million one-byte zero varints:
    // decoded into a JS array it took 2.8 GB and aborted the process.
    const size = 140_000_000
    const tensor = (n: number) => Buffer.concat([varintField(1, 10), varintField(2, 6), bytesField(8, 'hostile'), bytesField(5, Buffer.alloc(n))])
    const big = write('hostile.onnx', modelWithInitializer(tensor(size)))
    const small = write('hostile-small.onnx', modelWithInitializer(tensor(1000)))
    const child = new URL('../../../../../support/openOnnxChild.mjs', import.meta.url).pathname
    const open = async (path: string) => JSON.parse((await promisify(execFile)(process.execPath, [child, path], { timeout: 100_000 })).stdout) as { message: string | null; maxRssBytes: number }
    const [baseline, hostile] = [await open(small), await open(big)]
    expect(baseline.message).toMatch(/tensor "hostile" has 1000 values for the shape \[10\]/)
    expect(hostile.message).toMatch(/hostile\.onnx: tensor "hostile" has 140000000 values for the shape \[10\]; the file is damaged/)
    // The file is read into memory once; nothing else grows with it.
    expect(hostile.maxRssBytes - baseline.maxRssBytes).toBeLessThan(1.5 * size)
  })
})

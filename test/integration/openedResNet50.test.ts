import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../../src-main/engine/backend/select'
import { encodeOnnx } from '../support/onnxEncode'
import { openTestApi, tempDir } from '../support/workspace'

/**
 * ResNet-50's geometry on an opened ONNX graph, CI-sized and without Python: the graph is
 * written here node by node as torch.onnx names them (Conv, BatchNormalization, Relu, MaxPool,
 * Add, GlobalAveragePool, Flatten, Gemm; stages of 3, 4, 6 and 3 bottlenecks) at 224×224, with
 * every width cut to a few channels, since receptive fields depend only on kernels, strides and
 * pads. The reference is the published figures: the last stage sees 483 px in ResNet-50 v1
 * (stride on the first 1×1 of a block) and 427 px in v1.5, torchvision's (stride on the 3×3);
 * jump 32 in both, and a 7×7 final map.
 */
const api = openTestApi()
const files = tempDir('fl-opened-resnet50-')
beforeAll(async () => {
  await initBackend()
})
afterAll(() => api.close())

const ints = (name: string, values: number[]) => ({ name, type: 7, ints: values })

/** A narrow ResNet-50 as an ONNX file; `v1` puts a block's stride on its first 1×1 conv. */
function resnet50Onnx(path: string, v1: boolean): void {
  const node: object[] = []
  const initializer: object[] = []
  let seed = 1
  const values = (n: number, scale: number) =>
    Array.from({ length: n }, () => {
      seed = (seed * 16807) % 2147483647
      return (seed / 2147483647 - 0.5) * scale
    })
  const tensor = (name: string, dims: number[], data: number[]) => initializer.push({ name, dims, dataType: 1, floatData: data })
  /** Conv + BatchNormalization (+ Relu), named like torch's export of a torchvision module. */
  const convBn = (scope: string, conv: string, bn: string, input: string, cin: number, cout: number, k: number, stride: number, relu: string | null): string => {
    tensor(`${scope}.${conv}.weight`, [cout, cin, k, k], values(cout * cin * k * k, 0.5))
    const p = (k - 1) / 2
    const at = scope === '' ? '' : `/${scope.split('.')[0]}/${scope}`
    node.push({ opType: 'Conv', name: `${at}/${conv}/Conv`, input: [input, `${scope}.${conv}.weight`], output: [`${scope}.${conv}`], attribute: [ints('kernel_shape', [k, k]), ints('strides', [stride, stride]), ints('pads', [p, p, p, p]), ints('dilations', [1, 1]), { name: 'group', type: 2, i: 1 }] })
    for (const [part, fill] of [['weight', 1], ['bias', 0], ['running_mean', 0], ['running_var', 1]] as const) tensor(`${scope}.${bn}.${part}`, [cout], new Array<number>(cout).fill(fill))
    node.push({ opType: 'BatchNormalization', name: `${at}/${bn}/BatchNormalization`, input: [`${scope}.${conv}`, ...['weight', 'bias', 'running_mean', 'running_var'].map((q) => `${scope}.${bn}.${q}`)], output: [`${scope}.${bn}`], attribute: [{ name: 'epsilon', type: 1, f: 1e-5 }] })
    if (!relu) return `${scope}.${bn}`
    node.push({ opType: 'Relu', name: `${at}/${relu}/Relu`, input: [`${scope}.${bn}`], output: [`${scope}.${relu}`] })
    return `${scope}.${relu}`
  }
  // Stem: 7×7/2 conv, 3×3/2 max pool.
  let x = convBn('', 'conv1', 'bn1', 'x', 3, 4, 7, 2, 'relu')
  node.push({ opType: 'MaxPool', name: '/maxpool/MaxPool', input: [x], output: ['maxpool'], attribute: [ints('kernel_shape', [3, 3]), ints('strides', [2, 2]), ints('pads', [1, 1, 1, 1])] })
  x = 'maxpool'
  let channels = 4
  const widths = [2, 2, 3, 3]
  for (const [s, blocks] of [3, 4, 6, 3].entries()) {
    for (let b = 0; b < blocks; b++) {
      const scope = `layer${s + 1}.${b}`
      const stride = b === 0 && s > 0 ? 2 : 1
      const w = widths[s]
      const out = w * 4
      const a = convBn(scope, 'conv1', 'bn1', x, channels, w, 1, v1 ? stride : 1, 'relu')
      const m = convBn(scope, 'conv2', 'bn2', a, w, w, 3, v1 ? 1 : stride, 'relu_1')
      const c = convBn(scope, 'conv3', 'bn3', m, w, out, 1, 1, null)
      const shortcut = b === 0 ? convBn(`${scope}.downsample`, '0', '1', x, channels, out, 1, stride, null) : x
      node.push({ opType: 'Add', name: `/layer${s + 1}/${scope}/Add`, input: [c, shortcut], output: [`${scope}.add`] })
      node.push({ opType: 'Relu', name: `/layer${s + 1}/${scope}/relu_2/Relu`, input: [`${scope}.add`], output: [`${scope}.out`] })
      x = `${scope}.out`
      channels = out
    }
  }
  node.push({ opType: 'GlobalAveragePool', name: '/avgpool/GlobalAveragePool', input: [x], output: ['pooled'] })
  node.push({ opType: 'Flatten', name: '/Flatten', input: ['pooled'], output: ['flat'], attribute: [{ name: 'axis', type: 2, i: 1 }] })
  tensor('fc.weight', [10, channels], values(10 * channels, 0.5))
  tensor('fc.bias', [10], new Array<number>(10).fill(0))
  node.push({ opType: 'Gemm', name: '/fc/Gemm', input: ['flat', 'fc.weight', 'fc.bias'], output: ['y'], attribute: [{ name: 'transB', type: 2, i: 1 }] })
  const info = (name: string, dims: (number | string)[]) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } })
  writeFileSync(path, encodeOnnx({ irVersion: 8, opsetImport: [{ domain: '', version: 13 }], producerName: 'pytorch', graph: { node, initializer, input: [info('x', ['N', 3, 224, 224])], output: [info('y', ['N', 10])] } }))
}

describe('ResNet-50 opened from ONNX at 224 px', () => {
  for (const [variant, v1, size] of [
    ['v1', true, 483],
    ['v1.5 (torchvision)', false, 427]
  ] as const) {
    it(`${variant}: the last stage sees ${size} px with jump 32 on a 7×7 map`, async () => {
      const path = join(files, `resnet50-${v1 ? 'v1' : 'v15'}.onnx`)
      resnet50Onnx(path, v1)
      const run = await api.call('models.open', { path, name: `ResNet-50 ${variant}` })
      expect(run.config.source?.input).toEqual({ height: 224, width: 224, channels: 3 })
      const table = await api.call('inspect.architecture', { runId: run.id })
      const row = (name: string) => table.rows.find((r) => r.name === name)
      const last = row('layer4.2')
      expect(last?.type).toBe('Add')
      expect(last?.outputShape).toEqual([7, 7, 12])
      expect(last?.receptiveField?.height.size).toBe(size)
      expect(last?.receptiveField?.height.jump).toBe(32)
      expect(last?.receptiveField?.width.size).toBe(size)
      // The stem, by hand: 7×7/2 conv sees 7 px (jump 2); the 3×3/2 max pool 7 + 2·2 = 11 (jump 4).
      expect(row('conv1')?.receptiveField?.height).toMatchObject({ size: 7, jump: 2 })
      expect(row('maxpool')?.receptiveField?.height).toMatchObject({ size: 11, jump: 4 })
    }, 60_000)
  }
})

import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import type { BuiltinModelName } from '../../../../src-shared/model'
import { architectureTable } from '../../../../src-main/engine/analysis/receptiveField/receptiveField'
import { buildBuiltinModel } from '../../../../src-main/engine/models/buildModel'
import { layerSeed } from '../../../../src-main/engine/models/modelFromPlan'
import { builtinModelNames, planModel } from '../../../../src-main/engine/models/architectures/registry'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

const mnist = { height: 28, width: 28, channels: 1 }
const small = { height: 32, width: 32, channels: 3 }

const vggNames = (convs: number[]) => [
  ...convs.flatMap((n, b) => [...Array.from({ length: n }, (_, c) => `block${b + 1}_conv${c + 1}`), `block${b + 1}_pool`]),
  'flatten',
  'fc1',
  'fc2',
  'predictions'
]

/** Conv and dense layer names in order, as every analysis view will refer to them. */
const documented: Record<BuiltinModelName, { input: typeof mnist; width: number; names: string[] }> = {
  minimal: { input: mnist, width: 1, names: ['conv1', 'pool1', 'conv2', 'pool2', 'flatten', 'predictions'] },
  lenet5: { input: mnist, width: 1, names: ['c1', 's2', 'c3', 's4', 'c5', 'flatten', 'f6', 'predictions'] },
  fcnn3: { input: mnist, width: 1, names: ['flatten', 'fc1', 'fc2', 'predictions'] },
  vgg11: { input: small, width: 0.125, names: vggNames([1, 1, 2, 2, 2]) },
  vgg16: { input: small, width: 0.125, names: vggNames([2, 2, 3, 3, 3]) },
  vgg19: { input: small, width: 0.125, names: vggNames([2, 2, 4, 4, 4]) },
  resnet18: { input: small, width: 0.125, names: [] },
  resnet50: { input: small, width: 0.0625, names: [] }
}

describe('built-in architectures', () => {
  it('registers every documented family', () => {
    expect([...builtinModelNames].sort()).toEqual(Object.keys(documented).sort())
  })

  it.each(builtinModelNames)('%s has its documented layer names and output shape', (name) => {
    const { input, width, names } = documented[name]
    const model = buildBuiltinModel({ name, widthMultiplier: width }, input, 7, 'softmax', 1)
    const layers = model.layers.map((l) => l.name)
    if (names.length > 0) {
      expect(layers.filter((l) => !['input', 'InputLayer'].includes(l))).toEqual(names)
    }
    expect(layers[0]).toBe('input')
    expect(layers[layers.length - 1]).toBe('predictions')
    expect(model.outputs[0].shape).toEqual([null, 7])
    const out = tf.tidy(() => model.predict(tf.zeros([2, input.height, input.width, input.channels])) as tf.Tensor)
    expect(out.shape).toEqual([2, 7])
    const sums = out.sum(1).dataSync()
    for (const s of sums) expect(s).toBeCloseTo(1, 5)
    tf.dispose(out)
    model.dispose()
  })

  it('names ResNet layers by stage and block', () => {
    const model = buildBuiltinModel({ name: 'resnet50', widthMultiplier: 0.0625 }, small, 3, 'softmax', 1)
    const names = model.layers.map((l) => l.name)
    const convs = model.layers.filter((l) => l.getClassName() === 'Conv2D').map((l) => l.name)
    expect(convs).toHaveLength(53) // stem + 16 bottlenecks × 3 + 4 projections
    expect(convs.slice(0, 5)).toEqual(['conv1', 'stage2_block1_conv1', 'stage2_block1_conv2', 'stage2_block1_conv3', 'stage2_block1_shortcut_conv'])
    for (const n of ['conv1_pad', 'conv1_bn', 'conv1_relu', 'pool1', 'stage3_block4_add', 'stage4_block6_out', 'stage5_block3_conv3', 'avg_pool']) {
      expect(names).toContain(n)
    }
    expect(names).not.toContain('stage5_block4_conv1')
    model.dispose()

    const r18 = buildBuiltinModel({ name: 'resnet18', widthMultiplier: 0.125 }, small, 3, 'softmax', 1)
    const convs18 = r18.layers.filter((l) => l.getClassName() === 'Conv2D').map((l) => l.name)
    expect(convs18).toHaveLength(20) // stem + 8 basic blocks × 2 + 3 projections
    expect(convs18).toContain('stage3_block1_shortcut_conv')
    expect(convs18).not.toContain('stage2_block1_shortcut_conv')
    r18.dispose()
  })

  it('scales hidden widths by the multiplier, never to zero', () => {
    const vgg = architectureTable(planModel({ name: 'vgg16', widthMultiplier: 0.25 }, { height: 64, width: 64, channels: 3 }, 2, 'sigmoid'))
    const shape = (n: string) => vgg.rows.find((r) => r.name === n)?.outputShape
    expect(shape('block1_conv1')).toEqual([64, 64, 16])
    expect(shape('block5_conv3')).toEqual([4, 4, 128])
    expect(shape('fc1')).toEqual([1024])
    expect(shape('predictions')).toEqual([2])
    const tiny = architectureTable(planModel({ name: 'minimal', widthMultiplier: 0.01 }, mnist, 10, 'softmax'))
    expect(tiny.rows.find((r) => r.name === 'conv1')?.outputShape).toEqual([24, 24, 1])
  })

  it('applies the output activation to the classifier only', () => {
    const model = buildBuiltinModel({ name: 'fcnn3' }, mnist, 1, 'sigmoid', 3)
    const config = (name: string) => model.getLayer(name).getConfig()
    expect(config('predictions').activation).toBe('sigmoid')
    expect(config('fc1').activation).toBe('relu')
    model.dispose()
  })
})

describe('seeded initial weights', () => {
  const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()))

  it('are identical for the same seed and differ for another seed', () => {
    const spec = { name: 'vgg11' as const, widthMultiplier: 0.125 }
    const a = buildBuiltinModel(spec, small, 4, 'softmax', 42)
    const b = buildBuiltinModel(spec, small, 4, 'softmax', 42)
    const c = buildBuiltinModel(spec, small, 4, 'softmax', 43)
    const [wa, wb, wc] = [weightsOf(a), weightsOf(b), weightsOf(c)]
    expect(wb).toEqual(wa)
    const kernels = a.weights.map((w, i) => [w.name, i] as const).filter(([n]) => n.endsWith('kernel'))
    for (const [name, i] of kernels) expect(wc[i], name).not.toEqual(wa[i])
    for (const m of [a, b, c]) m.dispose()
  })

  it('gives same-shaped layers different starting kernels', () => {
    const model = buildBuiltinModel({ name: 'vgg16', widthMultiplier: 0.125 }, small, 4, 'softmax', 7)
    const kernel = (n: string) => Array.from(model.getLayer(n).getWeights()[0].dataSync())
    expect(kernel('block5_conv2')).not.toEqual(kernel('block5_conv3'))
    expect(layerSeed(7, 'block5_conv2')).not.toBe(layerSeed(7, 'block5_conv3'))
    model.dispose()
  })

  it('fixes batch-norm and bias starts at their conventional values', () => {
    const model = buildBuiltinModel({ name: 'resnet18', widthMultiplier: 0.125 }, small, 4, 'softmax', 1)
    const [gamma, beta] = model.getLayer('conv1_bn').getWeights()
    expect(Array.from(gamma.dataSync()).every((v) => v === 1)).toBe(true)
    expect(Array.from(beta.dataSync()).every((v) => v === 0)).toBe(true)
    expect(model.getLayer('conv1').getWeights()).toHaveLength(1) // no bias before batch norm
    model.dispose()
  })
})

import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { architectureTable } from '../../../../src-main/engine/analysis/receptiveField/receptiveField'
import { architectureTableFromModel } from '../../../../src-main/engine/analysis/receptiveField/receptiveFieldOfModel'
import { buildBuiltinModel } from '../../../../src-main/engine/models/buildModel'
import { planModel } from '../../../../src-main/engine/models/architectures/registry'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

const imagenet = { height: 224, width: 224, channels: 3 }

// The full-size networks allocate 100–575 MB of weights, so each is built once and never run.
describe('full-size networks at 224 px', () => {
  it('VGG-19 has 143,667,240 parameters and its graph gives the plan table', () => {
    const model = buildBuiltinModel({ name: 'vgg19' }, imagenet, 1000, 'softmax', 0)
    expect(model.countParams()).toBe(143_667_240)
    const table = architectureTableFromModel(model)
    model.dispose()
    expect(table).toEqual(architectureTable(planModel({ name: 'vgg19' }, imagenet, 1000, 'softmax')))
    const pool5 = table.rows.find((r) => r.name === 'block5_pool')
    expect(pool5?.outputShape).toEqual([7, 7, 512])
    expect(pool5?.receptiveField?.height).toEqual({ size: 268, jump: 32, start: 15.5 })
    expect(table.rows.find((r) => r.name === 'fc2')?.outputShape).toEqual([4096])
  }, 300_000)

  it('ResNet-50 has 25,610,152 weights (25,557,032 trainable) and a 483 px final field from its graph', () => {
    const model = buildBuiltinModel({ name: 'resnet50' }, imagenet, 1000, 'softmax', 0)
    expect(model.countParams()).toBe(25_610_152)
    const trainable = model.trainableWeights.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0)
    expect(trainable).toBe(25_557_032)
    const table = architectureTableFromModel(model)
    model.dispose()
    expect(table).toEqual(architectureTable(planModel({ name: 'resnet50' }, imagenet, 1000, 'softmax')))
    expect(table.rows.find((r) => r.name === 'stage5_block3_out')?.receptiveField?.height).toEqual({ size: 483, jump: 32, start: 2 })
  }, 300_000)
})

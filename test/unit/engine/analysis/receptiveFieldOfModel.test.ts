import * as tf from '@tensorflow/tfjs'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { architectureTable } from '../../../../src-main/engine/analysis/receptiveField/receptiveField'
import { architectureTableForSpec, architectureTableFromModel } from '../../../../src-main/engine/analysis/receptiveField/receptiveFieldOfModel'
import { buildBuiltinModel } from '../../../../src-main/engine/models/buildModel'
import { fileSystemHandler } from '../../../../src-main/engine/models/formats/tfjs/fileSystemHandler'
import { ModelSpec } from '../../../../src-shared/model'
import { planModel, type BuiltinSpec } from '../../../../src-main/engine/models/architectures/registry'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

const sym = (x: unknown) => x as tf.SymbolicTensor

describe('architecture table from a tfjs model graph', () => {
  const cases: [BuiltinSpec, number, number][] = [
    [{ name: 'lenet5' }, 28, 1],
    [{ name: 'vgg11', widthMultiplier: 0.125 }, 48, 3],
    [{ name: 'resnet18', widthMultiplier: 0.125 }, 64, 3],
    [{ name: 'resnet50', widthMultiplier: 0.0625 }, 64, 3]
  ]

  it.each(cases)('reads %o back to the same table as its plan', (spec, size, channels) => {
    const input = { height: size, width: size, channels }
    const fromPlan = architectureTable(planModel(spec, input, 5, 'softmax'))
    const model = buildBuiltinModel(spec, input, 5, 'softmax', 0)
    const fromGraph = architectureTableFromModel(model)
    expect(fromGraph.rows.map((r) => r.name)).toEqual(fromPlan.rows.map((r) => r.name))
    expect(fromGraph.rows).toEqual(fromPlan.rows)
    // Shapes and parameter counts derived from geometry agree with what tfjs built.
    for (const layer of model.layers) {
      const row = fromPlan.rows.find((r) => r.name === layer.name)
      expect(row?.outputShape, layer.name).toEqual((layer.outputShape as number[]).slice(1))
      expect(row?.params, layer.name).toBe(layer.countParams())
    }
    expect(fromPlan.totals.params).toBe(model.countParams())
    model.dispose()
  })

  it('inlines a nested base model, so its convolutions get rows', () => {
    const baseIn = tf.input({ shape: [32, 32, 3], name: 'base_input' })
    let x = sym(tf.layers.conv2d({ name: 'base_conv1', filters: 4, kernelSize: 3, padding: 'same' }).apply(baseIn))
    x = sym(tf.layers.maxPooling2d({ name: 'base_pool1', poolSize: 2 }).apply(x))
    const base = tf.model({ inputs: baseIn, outputs: x, name: 'base' })
    const input = tf.input({ shape: [32, 32, 3], name: 'image' })
    let y = sym(base.apply(input))
    y = sym(tf.layers.conv2d({ name: 'top_conv', filters: 2, kernelSize: 3 }).apply(y))
    y = sym(tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(y))
    y = sym(tf.layers.dense({ name: 'predictions', units: 3 }).apply(y))
    const model = tf.model({ inputs: input, outputs: y })
    const table = architectureTableFromModel(model)
    expect(table.rows.map((r) => r.name)).toEqual(['image', 'base_conv1', 'base_pool1', 'top_conv', 'gap', 'predictions'])
    expect(table.rows.find((r) => r.name === 'base_conv1')?.inputs).toEqual(['image'])
    expect(table.rows.find((r) => r.name === 'top_conv')?.receptiveField?.height).toEqual({ size: 8, jump: 2, start: 2.5 })
    expect(table.totals.params).toBe(model.countParams())
    model.dispose()
  })

  it('reads a Sequential model and marks fields it cannot model as unknown', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ name: 'c1', inputShape: [16, 16, 1], filters: 2, kernelSize: 3 }),
        tf.layers.upSampling2d({ name: 'up', size: [2, 2] }),
        tf.layers.conv2d({ name: 'c2', filters: 2, kernelSize: 3 }),
        tf.layers.flatten({ name: 'flat' }),
        tf.layers.dense({ name: 'out', units: 2 })
      ]
    })
    const table = architectureTableFromModel(model)
    const byName = Object.fromEntries(table.rows.map((r) => [r.name, r]))
    expect(byName.c1.fieldKind).toBe('spatial')
    expect(byName.up.kind).toBe('other')
    expect(byName.up.outputShape).toEqual([28, 28, 2])
    expect(byName.up.fieldKind).toBe('unknown')
    expect(byName.up.note).toMatch(/UpSampling2D/)
    expect(byName.c2.fieldKind).toBe('unknown')
    expect(byName.c2.outputShape).toEqual([26, 26, 2])
    expect(byName.flat.fieldKind).toBe('unknown')
    expect(table.totals.params).toBe(model.countParams())
    model.dispose()
  })

  it('needs an input size for a model that accepts any size', () => {
    const input = tf.input({ shape: [null, null, 3], name: 'any' })
    const out = sym(tf.layers.conv2d({ name: 'c', filters: 2, kernelSize: 3, strides: 2, padding: 'same' }).apply(input))
    const model = tf.model({ inputs: input, outputs: out })
    expect(() => architectureTableFromModel(model)).toThrow(/accepts inputs of shape \[any, any, 3\].*--input/)
    const table = architectureTableFromModel(model, { input: { height: 9, width: 10 } })
    expect(table.rows[1].outputShape).toEqual([5, 5, 2])
    expect(table.rows[1].padding).toEqual({ mode: 'same', top: 1, bottom: 1, left: 0, right: 1 })
    model.dispose()
  })
})

describe('architecture table of a run\'s spec', () => {
  it('tabulates a built-in spec from its plan and an imported one with its new head', async () => {
    const input = { height: 28, width: 28, channels: 1 }
    const builtin = await architectureTableForSpec(ModelSpec.parse({ name: 'minimal' }), input, 10, 'softmax')
    expect(builtin).toEqual(architectureTable(planModel({ name: 'minimal' }, input, 10, 'softmax')))

    const dir = mkdtempSync(join(tmpdir(), 'featurelens-arch-'))
    try {
      const saved = buildBuiltinModel({ name: 'minimal' }, input, 10, 'softmax', 1)
      await saved.save(fileSystemHandler(dir))
      saved.dispose()
      const imported = await architectureTableForSpec(ModelSpec.parse({ name: 'import', importPath: dir, freezeBase: true }), input, 2, 'sigmoid')
      expect(imported.rows.map((r) => r.name)).toEqual(['input', 'conv1', 'pool1', 'conv2', 'pool2', 'flatten', 'predictions'])
      expect(imported.rows.at(-1)?.outputShape).toEqual([2])
      expect(imported.totals.trainableParams).toBe(256 * 2 + 2)
      expect(imported.rows.find((r) => r.name === 'pool2')?.receptiveField).toEqual(builtin.rows.find((r) => r.name === 'pool2')?.receptiveField)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

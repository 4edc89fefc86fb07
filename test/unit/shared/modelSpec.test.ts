import { describe, expect, it } from 'vitest'
import { BuiltinModelSpec, ModelSpec, modelNames, VggModelSpec } from '../../../src-shared/model'
import { TrainConfig } from '../../../src-shared/run'

/** The field and message of the first problem, or null when the spec is accepted. */
function problem(spec: unknown): [string, string] | null {
  const parsed = ModelSpec.safeParse(spec)
  return parsed.success ? null : [parsed.error.issues[0].path.join('.'), parsed.error.issues[0].message]
}

describe('ModelSpec: one variant per kind of model, chosen by name', () => {
  it('has a variant for every model name, and one only', () => {
    const names = [...BuiltinModelSpec.shape.name.options, ...VggModelSpec.shape.name.options, 'import']
    expect([...names].sort()).toEqual([...modelNames].sort())
  })

  it('gives each kind its own fields and defaults', () => {
    expect(ModelSpec.parse({ name: 'resnet18' })).toEqual({ name: 'resnet18', widthMultiplier: 1, batchNorm: false, freezeBase: false })
    expect(ModelSpec.parse({ name: 'vgg16', batchNorm: true, widthMultiplier: 0.25 })).toEqual({ name: 'vgg16', widthMultiplier: 0.25, batchNorm: true, freezeBase: false })
    expect(ModelSpec.parse({ name: 'import', importPath: '/m', freezeBase: true })).toEqual({ name: 'import', importPath: '/m', widthMultiplier: 1, batchNorm: false, freezeBase: true })
    expect(ModelSpec.parse({ name: 'import', fromRun: 'r1', keepHead: true })).toMatchObject({ name: 'import', fromRun: 'r1', keepHead: true, freezeBase: false })
  })

  it('refuses a field of another kind of model, naming it', () => {
    expect(problem({ name: 'lenet5', batchNorm: true })).toEqual(['batchNorm', expect.stringMatching(/batchNorm is a VGG option/)])
    expect(problem({ name: 'vgg11', freezeBase: true })).toEqual(['freezeBase', expect.stringMatching(/only applies to an imported/)])
    expect(problem({ name: 'vgg11', importPath: '/m' })).toEqual(['importPath', expect.stringMatching(/importPath is only for name "import"/)])
    expect(problem({ name: 'minimal', fromRun: 'r1' })).toEqual(['fromRun', expect.stringMatching(/fromRun is only for name "import"/)])
    expect(problem({ name: 'minimal', keepHead: true })).toEqual(['keepHead', expect.stringMatching(/keepHead applies when starting from a run/)])
    expect(problem({ name: 'import', importPath: '/m', widthMultiplier: 2 })).toEqual(['widthMultiplier', expect.stringMatching(/keeps its own widths/)])
    expect(problem({ name: 'import', importPath: '/m', batchNorm: true })).toEqual(['batchNorm', expect.stringMatching(/batchNorm is a VGG option/)])
    expect(problem({ name: 'alexnet' })?.[0]).toBe('name')
  })

  it('needs exactly one source for an imported model, and keepHead only from a run without freezeBase', () => {
    expect(problem({ name: 'import' })).toEqual(['importPath', expect.stringMatching(/needs importPath/)])
    expect(problem({ name: 'import', importPath: '/m', fromRun: 'r1' })).toEqual(['fromRun', 'give importPath or fromRun, not both'])
    expect(problem({ name: 'import', importPath: '/m', keepHead: true })).toEqual(['keepHead', expect.stringMatching(/fromRun/)])
    expect(problem({ name: 'import', fromRun: 'r1', keepHead: true, freezeBase: true })).toEqual(['freezeBase', expect.stringMatching(/nothing would train/)])
  })

  it('still reads the configs runs stored before, which carry every field at its neutral value', () => {
    const stored = [
      { name: 'vgg11', widthMultiplier: 0.25, batchNorm: true, freezeBase: false },
      { name: 'lenet5', widthMultiplier: 1, batchNorm: false, freezeBase: false, keepHead: false },
      { name: 'import', importPath: '/m', widthMultiplier: 1, batchNorm: false, freezeBase: true }
    ]
    for (const model of stored) expect(TrainConfig.safeParse({ dataset: 'mnist', model }).success, model.name).toBe(true)
  })
})

import * as tf from '@tensorflow/tfjs'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError } from '../../../../src-shared/errors'
import { modelCatalog } from '../../../../src-shared/model'
import { buildBuiltinModel } from '../../../../src-main/engine/models/buildModel'
import { fileSystemHandler } from '../../../../src-main/engine/models/formats/tfjs/fileSystemHandler'
import { minimumInputSize, readImportedInput, validateModelFit } from '../../../../src-main/engine/train/modelFit'

const mnist = { height: 28, width: 28, channels: 1 }
const faces = { height: 64, width: 64, channels: 3 }

function refusal(run: () => unknown): ApiError {
  try {
    run()
  } catch (err) {
    if (err instanceof ApiError) return err
    throw err
  }
  throw new Error('expected validateModelFit to refuse')
}

/** An import spec's model.json is read first, as checkRunConfig and the job do. */
async function fitImport(spec: { name: 'import'; importPath: string; inputSize?: number; widthMultiplier?: number }, dataset: typeof mnist, classes: number) {
  const imported = await readImportedInput(spec)
  return () => validateModelFit(spec, dataset, classes, imported)
}

async function asyncRefusal(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise
  } catch (err) {
    if (err instanceof ApiError) return err
    throw err
  }
  throw new Error('expected reading the model to fail')
}

let rgbModelDir = ''
let anySizeModelDir = ''
const dirs: string[] = []

beforeAll(async () => {
  await tf.setBackend('cpu')
  rgbModelDir = mkdtempSync(join(tmpdir(), 'featurelens-fit-'))
  anySizeModelDir = mkdtempSync(join(tmpdir(), 'featurelens-fit-'))
  dirs.push(rgbModelDir, anySizeModelDir)
  const fixed = buildBuiltinModel({ name: 'vgg11', widthMultiplier: 0.125 }, { height: 48, width: 48, channels: 3 }, 1000, 'softmax', 1)
  await fixed.save(fileSystemHandler(rgbModelDir))
  fixed.dispose()
  const input = tf.input({ shape: [null, null, 3] })
  const conv = tf.layers.conv2d({ filters: 2, kernelSize: 3 }).apply(input) as tf.SymbolicTensor
  const anySize = tf.model({ inputs: input, outputs: tf.layers.globalAveragePooling2d({}).apply(conv) as tf.SymbolicTensor })
  await anySize.save(fileSystemHandler(anySizeModelDir))
  anySize.dispose()
})
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

describe('validateModelFit', () => {
  it('accepts a fitting model and returns the input it will take', () => {
    expect(validateModelFit({ name: 'lenet5' }, mnist, 10).input).toEqual(mnist)
    const fit = validateModelFit({ name: 'vgg19', widthMultiplier: 0.25, inputSize: 64 }, { height: 218, width: 178, channels: 3 }, 2)
    expect(fit.input).toEqual({ height: 64, width: 64, channels: 3 })
    expect(fit.spec).toEqual({ name: 'vgg19', widthMultiplier: 0.25, inputSize: 64, freezeBase: false, batchNorm: false })
  })

  it('refuses an input too small for the poolings, naming inputSize and the minimum', () => {
    const err = refusal(() => validateModelFit({ name: 'vgg16' }, mnist, 10))
    expect(err.code).toBe('bad_input')
    expect(err.message).toMatch(/^model\.inputSize: VGG-16 needs images of at least 32×32 px but the dataset's images are 28×28 px/)
    expect(err.message).toMatch(/Set inputSize to 32 or more/)
    expect(refusal(() => validateModelFit({ name: 'resnet50', inputSize: 16 }, faces, 2)).message).toMatch(
      /model\.inputSize: ResNet-50 needs images of at least 17×17 px but inputSize is 16 .*stage5_block1_conv1.*strides by 2 over a 1×1 map/
    )
    expect(refusal(() => validateModelFit({ name: 'minimal', inputSize: 12 }, mnist, 10)).message).toMatch(/conv2.*does not fit/)
  })

  it('refuses a spec with a bad field, naming the field', () => {
    expect(refusal(() => validateModelFit({ name: 'vgg16', widthMultiplier: -1 }, faces, 2)).message).toMatch(/^model\.widthMultiplier: /)
    expect(refusal(() => validateModelFit({ name: 'alexnet' }, faces, 2)).message).toMatch(/^model\.name: /)
    expect(refusal(() => validateModelFit({ name: 'import' }, faces, 2)).message).toMatch(/^model\.importPath: an imported model needs importPath/)
    expect(refusal(() => validateModelFit({ name: 'vgg16', importPath: '/x' }, faces, 2)).message).toMatch(/^model\.importPath: /)
    expect(refusal(() => validateModelFit({ name: 'lenet5', inputSize: 2.5 }, mnist, 10)).message).toMatch(/^model\.inputSize: /)
  })

  it('refuses too few classes and a malformed dataset shape', () => {
    expect(refusal(() => validateModelFit({ name: 'lenet5' }, mnist, 1)).message).toMatch(/^numClasses: the dataset has 1 class; a classifier needs at least 2/)
    expect(refusal(() => validateModelFit({ name: 'lenet5' }, { ...mnist, channels: 0 }, 10)).message).toMatch(/^dataset\.channels: /)
  })

  it('refuses a size that would make the model absurdly large', () => {
    expect(refusal(() => validateModelFit({ name: 'vgg19', inputSize: 1024 }, faces, 2)).message).toMatch(
      /^model\.inputSize: VGG-19 at 1024×1024 px would have \d+ M parameters/
    )
  })

  it('refuses an imported model made for other channels or another fixed size', async () => {
    const channels = refusal(await fitImport({ name: 'import', importPath: rgbModelDir }, mnist, 10))
    expect(channels.message).toMatch(/^model\.importPath: the model takes RGB images but the dataset's are grayscale/)
    const size = refusal(await fitImport({ name: 'import', importPath: rgbModelDir, inputSize: 64 }, faces, 2))
    expect(size.message).toMatch(/^model\.inputSize: the imported model is fixed at 48×48 px; set inputSize to 48/)
    expect((await asyncRefusal(fitImport({ name: 'import', importPath: join(rgbModelDir, 'nope') }, faces, 2))).message).toMatch(/model\.json .*nope is missing/)
    expect(refusal(await fitImport({ name: 'import', importPath: rgbModelDir, widthMultiplier: 2 }, faces, 2)).message).toMatch(/^model\.widthMultiplier: /)
  })

  it('takes the imported model its fixed size, or the dataset size when it accepts any', async () => {
    expect((await fitImport({ name: 'import', importPath: rgbModelDir }, faces, 2))().input).toEqual({ height: 48, width: 48, channels: 3 })
    expect((await fitImport({ name: 'import', importPath: anySizeModelDir }, faces, 2))().input).toEqual(faces)
    expect((await fitImport({ name: 'import', importPath: anySizeModelDir, inputSize: 40 }, faces, 2))().input).toEqual({ height: 40, width: 40, channels: 3 })
  })

  it('agrees with the catalog on each architecture’s smallest input', () => {
    for (const entry of modelCatalog) {
      const spec = { name: entry.name }
      expect(minimumInputSize(spec, entry.defaultInput.channels), entry.name).toBe(entry.minInputSize)
    }
  })
})

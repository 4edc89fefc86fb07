import * as tf from '@tensorflow/tfjs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { layerActivations } from '../../../../../../src-main/engine/analysis/core/layerActivations'
import { loadOnnxModel } from '../../../../../../src-main/engine/models/formats/onnx/onnxFormat'
import { modelFixtures, reference, relativeError, toNchw } from '../../../../../support/modelFixtures'

/**
 * ONNX files exported by torch.onnx from PyTorch models (test/fixtures/models/make_onnx_fixtures.py)
 * and PyTorch's own outputs: Featurelens' translation must compute the same numbers.
 */

beforeAll(async () => {
  await tf.setBackend('cpu')
})

async function agreesWithPyTorch(name: string) {
  const ref = await reference(name)
  const { model, translation } = await loadOnnxModel(join(modelFixtures, `${name}.onnx`))
  const logits = model.predict(ref.inputs) as tf.Tensor
  expect(logits.shape).toEqual(ref.logits.shape)
  const logitsError = relativeError(logits.dataSync(), ref.logits.data)
  const layer = translation.tensorLayers.get(ref.meta.activationTensor)
  expect(layer, `a layer for ${ref.meta.activationTensor}`).toBeDefined()
  const acts = layerActivations(model, ref.inputs, [layer as string])
  const act = acts.get(layer as string) as tf.Tensor
  const nchw = toNchw(act)
  expect([act.shape[0], act.shape[3], act.shape[1], act.shape[2]]).toEqual(ref.activation.shape)
  const activationError = relativeError(nchw, ref.activation.data)
  tf.dispose([logits, act, ref.inputs])
  return { model, translation, logitsError, activationError, layer }
}

describe('ONNX import against PyTorch', () => {
  it('a small CNN with every operator: depthwise, grouped and transposed convs, batch norm, branches, padding, Gemm, MatMul + Add', async () => {
    const { model, logitsError, activationError } = await agreesWithPyTorch('smallcnn')
    expect(logitsError).toBeLessThan(1e-4)
    expect(activationError).toBeLessThan(1e-4)
    const classes = new Set(model.layers.map((l) => l.getClassName()))
    for (const c of ['DepthwiseConv2D', 'Conv2DTranspose', 'BatchNormalization', 'Concatenate', 'Add', 'LeakyReLU', 'ReLU', 'ZeroPadding2D', 'Permute', 'Dense']) expect(classes).toContain(c)
    model.dispose()
  })

  it('torchvision ResNet-18 (narrow): a functional model with residual connections', async () => {
    const { model, logitsError, activationError, layer } = await agreesWithPyTorch('resnet18')
    expect(logitsError).toBeLessThan(1e-4)
    expect(activationError).toBeLessThan(1e-4)
    expect(layer).toBe('layer2.1.relu_1')
    expect(model.layers.filter((l) => l.getClassName() === 'Add')).toHaveLength(8)
    expect(model.getLayer('layer2.0.downsample.0').getClassName()).toBe('Conv2D')
    model.dispose()
  })

  it('torchvision VGG-11 (narrow): flattening a 2×2 map in PyTorch order', async () => {
    const { model, logitsError, activationError } = await agreesWithPyTorch('vgg11')
    expect(logitsError).toBeLessThan(1e-4)
    expect(activationError).toBeLessThan(1e-4)
    expect(model.inputs[0].shape).toEqual([null, 64, 64, 3])
    model.dispose()
  })
})

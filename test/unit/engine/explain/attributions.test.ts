import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { AttributionMethod, attributionInfo, PointingMethod } from '../../../../src-shared/explain'
import { argmax } from '../../../../src-main/engine/analysis/core/argmax'
import type { AttributionInputs, AttributionTarget } from '../../../../src-main/engine/analysis/explain/attribution'
import { attributionOf, attributions } from '../../../../src-main/engine/analysis/explain/attributions'
import { explainedClass } from '../../../../src-main/engine/analysis/explain/explainedImage'
import { gradCam, saliency } from '../../../../src-main/engine/analysis/explain/gradientMaps'
import { occlusion, unoccludedPass } from '../../../../src-main/engine/analysis/explain/occlusion'
import { pointingFigures } from '../../../../src-main/engine/analysis/explain/pointing'
import { H, handImage, handModel } from './handNetwork'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

/** An RGB network (10×10×3 → conv "c" 3×3 ReLU → max-pool → dense softmax over 4 classes) with fixed weights. */
function rgbModel(): { model: tf.LayersModel; image: Float32Array } {
  const input = tf.input({ shape: [10, 10, 3] })
  const c = tf.layers.conv2d({ name: 'c', filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 1 }) }).apply(input) as tf.SymbolicTensor
  const p = tf.layers.maxPooling2d({ name: 'p', poolSize: 2 }).apply(c) as tf.SymbolicTensor
  const f = tf.layers.flatten().apply(p) as tf.SymbolicTensor
  const out = tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 2 }) }).apply(f) as tf.SymbolicTensor
  const image = Float32Array.from({ length: 300 }, (_, i) => (Math.sin(i * 0.37) + 1) / 2)
  return { model: tf.model({ inputs: input, outputs: out }), image }
}

/** A class target for class methods, the conv layer's unit (1, 1, channel 0) for unit methods. */
const targetFor = (method: AttributionMethod): AttributionTarget => (attributionInfo[method].explains === 'class' ? { kind: 'class', class: 1 } : { kind: 'unit', unit: { y: 1, x: 1, channel: 0 } })

describe('the attribution registry', () => {
  it('has one attribution per method name of the contract, registered under its own name', () => {
    expect(Object.keys(attributions).sort()).toEqual([...AttributionMethod.options].sort())
    for (const method of AttributionMethod.options) expect(attributionOf(method).method).toBe(method)
  })

  it('pointing methods are exactly the methods that explain a class', () => {
    expect([...PointingMethod.options].sort()).toEqual(AttributionMethod.options.filter((m) => attributionInfo[m].explains === 'class').sort())
  })

  for (const [name, make] of [
    ['grey 6×6 hand network', () => ({ model: handModel(), image: handImage(), shape: { height: H, width: H, channels: 1 } })],
    ['RGB 10×10 network', () => ({ ...rgbModel(), shape: { height: 10, width: 10, channels: 3 } })]
  ] as const) {
    it(`every method returns a map of the input's size with its declared meaning and units (${name})`, async () => {
      const inputs: AttributionInputs = make()
      const { height, width, channels } = inputs.shape
      for (const method of AttributionMethod.options) {
        const map = await attributionOf(method).attribute(inputs, targetFor(method), 'c', { patch: 2, stride: 2 })
        const info = attributionInfo[method]
        expect(map.method).toBe(method)
        expect([map.meaning, map.units]).toEqual([info.meaning, info.units])
        expect([map.height, map.width, map.channels]).toEqual([height, width, info.explains === 'class' ? 1 : channels])
        expect(map.values.length).toBe(height * width * map.channels)
        expect(map.values.every(Number.isFinite)).toBe(true)
        expect(map.values.some((v) => v !== 0)).toBe(true)
        expect(map.layer).toBe(method === 'saliency' ? null : 'c')
      }
      inputs.model.dispose()
    })
  }

  it('gives the same maps as the methods themselves', async () => {
    const model = handModel()
    const image = handImage()
    const shape = { height: H, width: H, channels: 1 }
    const inputs = { model, image, shape }
    const target: AttributionTarget = { kind: 'class', class: 2 }
    expect(Array.from((await attributions.saliency.attribute(inputs, target)).values)).toEqual(Array.from((await saliency(model, image, shape, 2)).map))
    const cam = await attributions.gradcam.attribute(inputs, target, 'c')
    expect(Array.from(cam.values)).toEqual(Array.from((await gradCam(model, image, shape, 2, 'c')).upsampled))
    expect(cam.detail.mapHeight).toBe(4)
    const occ = await attributions.occlusion.attribute(inputs, target, 'c', { patch: 3, stride: 1, fill: 0 })
    expect(Array.from(occ.values)).toEqual(Array.from((await occlusion(model, image, shape, { patch: 3, stride: 1, fill: 0, layer: 'c', cls: 2 })).attribution))
  })

  it('uses the model’s default layer when none is given, and refuses a target of the wrong kind', async () => {
    const inputs = { model: handModel(), image: handImage(), shape: { height: H, width: H, channels: 1 } }
    expect((await attributions.gradcam.attribute(inputs, { kind: 'class', class: 0 })).layer).toBe('c')
    await expect(attributions.saliency.attribute(inputs, { kind: 'unit', unit: { y: 0, x: 0, channel: 0 } })).rejects.toThrow(/saliency explains a class's score, not a unit/)
    await expect(attributions.guided.attribute(inputs, { kind: 'class', class: 0 }, 'c')).rejects.toThrow(/guided backpropagation projects one unit of a layer, not a class/)
    await expect(attributions.deconvnet.attribute(inputs, { kind: 'unit', unit: { y: 0, x: 0, channel: 0 } })).rejects.toThrow(/layer: the deconvnet projection .* choose the layer/)
  })

  it('occlusion started from the caller’s unoccluded pass gives the same result as from its own', async () => {
    const model = handModel()
    const image = handImage()
    const shape = { height: H, width: H, channels: 1 }
    const options = { patch: 2, stride: 2, fill: 0.5, layer: 'c', cls: 1 }
    const base = await unoccludedPass(model, image, shape, 'c')
    const own = await occlusion(model, image, shape, options)
    const given = await occlusion(model, image, shape, options, {}, base)
    expect(Array.from(given.attribution)).toEqual(Array.from(own.attribution))
    expect(given.unoccluded).toEqual(own.unoccluded)
    expect(Array.from(base.probabilities)).toEqual(Array.from(own.unoccluded.probabilities))
  })
})

describe('pointing figures over the registry', () => {
  it('computes one entry per requested pointing method, in order, from the registered attributions', async () => {
    const model = handModel()
    const image = handImage()
    const shape = { height: H, width: H, channels: 1 }
    const top = Uint8Array.from({ length: H * H }, (_, p) => (p < (H * H) / 2 ? 1 : 0))
    const masks = new Map([['top', [top, top]]])
    const x = new Float32Array(2 * H * H)
    x.set(image, 0)
    x.set(image.map((v) => 1 - v), H * H)
    const r = await pointingFigures(model, { x, labels: [0, 2], shape, masks }, { methods: [...PointingMethod.options], layers: { gradcam: 'c', occlusion: 'c' }, attribution: { patch: 2, stride: 2, fill: 0.5 } })
    expect(r.methods.map((m) => m.method)).toEqual([...PointingMethod.options])
    const sal = await attributions.saliency.attribute({ model, image, shape }, { kind: 'class', class: 0 })
    let inside = 0
    let total = 0
    sal.values.forEach((v, p) => {
      total += v
      if (top[p]) inside += v
    })
    const saliencyRow = r.methods.find((m) => m.method === 'saliency')!
    expect(saliencyRow.regions[0].attribute).toBe('top')
    // Image 0 is the image explained above, per image in sample order.
    expect(saliencyRow.regions[0].shares[0]).toBeCloseTo(inside / total, 5)
    expect(saliencyRow.regions[0].areas).toEqual([0.5, 0.5])
  })
})

describe('argmax and the class explained', () => {
  it('finds the first largest value of a row', () => {
    expect(argmax([0.1, 0.7, 0.2])).toBe(1)
    expect(argmax([0.5, 0.5])).toBe(0)
    expect(argmax([9, 9, 0.1, 0.3, 0.3], 2, 3)).toBe(1)
  })

  it('takes the class asked for, else the true label, else the prediction', () => {
    const probabilities = Float32Array.from([0.2, 0.5, 0.3])
    const image = { shape: { height: 1, width: 1, channels: 1 }, x: new Float32Array(1), source: 'test #0', split: 'test' as const, index: 0, label: 2 }
    expect(explainedClass(probabilities, image, 0, true)).toEqual({ cls: 0, source: 'chosen' })
    expect(explainedClass(probabilities, image, undefined, true)).toEqual({ cls: 2, source: 'label' })
    expect(explainedClass(probabilities, image, undefined, false)).toEqual({ cls: 1, source: 'prediction' })
    expect(explainedClass(probabilities, { ...image, label: null }, undefined, true)).toEqual({ cls: 1, source: 'prediction' })
    expect(() => explainedClass(probabilities, image, 3, true)).toThrow(/class: 3 is out of range; the model tells apart classes 0..2/)
  })
})

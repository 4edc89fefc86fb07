import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { classProbabilities, runGraph } from '../../../../src-main/engine/analysis/explain/layerGraph'

// Heads of models opened as they are: a linear layer (PyTorch's logits), a Softmax layer (an
// ONNX graph exported with its softmax), a single logit. Their class probabilities are those the
// model's user expects: softmax of the logits, the Softmax layer's own output, sigmoid of one.
function model(units: number, head: 'linear' | 'softmaxLayer'): tf.LayersModel {
  const input = tf.input({ shape: [3] })
  let x = tf.layers.dense({ units, kernelInitializer: tf.initializers.randomNormal({ seed: 3 }), biasInitializer: 'ones' }).apply(input) as tf.SymbolicTensor
  if (head === 'softmaxLayer') x = tf.layers.softmax().apply(x) as tf.SymbolicTensor
  return tf.model({ inputs: input, outputs: x })
}

const probabilities = (m: tf.LayersModel, x: tf.Tensor): Float32Array =>
  tf.tidy(() => {
    const run = runGraph(m, x, 'gradient')
    return classProbabilities(run.logits, run.outputActivation).dataSync() as Float32Array
  })

describe('class probabilities of opened models’ heads', () => {
  const x = tf.tensor2d([
    [0.1, -2, 3],
    [1, 0.5, -0.5]
  ])

  it('takes the softmax of a linear head’s logits', () => {
    const m = model(4, 'linear')
    const expected = tf.tidy(() => tf.softmax(m.predict(x) as tf.Tensor).dataSync())
    const got = probabilities(m, x)
    for (let i = 0; i < expected.length; i++) expect(got[i]).toBeCloseTo(expected[i], 6)
    expect(got[0] + got[1] + got[2] + got[3]).toBeCloseTo(1, 6)
  })

  it('reads a Softmax layer’s output as the probabilities, and its input as the logits', () => {
    const m = model(4, 'softmaxLayer')
    const expected = tf.tidy(() => (m.predict(x) as tf.Tensor).dataSync())
    const got = probabilities(m, x)
    for (let i = 0; i < expected.length; i++) expect(got[i]).toBeCloseTo(expected[i], 6)
    const logits = tf.tidy(() => runGraph(m, x, 'gradient').logits.dataSync())
    expect(Math.abs(logits[0] - expected[0])).toBeGreaterThan(1e-3) // scores, not probabilities
  })

  it('turns a single logit into [1 − σ, σ]', () => {
    const m = model(1, 'linear')
    const z = tf.tidy(() => (m.predict(x) as tf.Tensor).dataSync())
    const got = probabilities(m, x)
    for (let n = 0; n < 2; n++) {
      const p = 1 / (1 + Math.exp(-z[n]))
      expect(got[2 * n + 1]).toBeCloseTo(p, 6)
      expect(got[2 * n]).toBeCloseTo(1 - p, 6)
    }
  })
})

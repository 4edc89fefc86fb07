import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { ApiError } from '../../../../src-shared/errors'
import { modelFromTopology, namedTensors } from '../../../../src-main/engine/models/modelFromTopology'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

/** A Dense(2) on 3 features, as the topology a file or a run stores. */
function topology(): unknown {
  const input = tf.input({ shape: [3], name: 'x' })
  const output = tf.layers.dense({ units: 2, name: 'fc' }).apply(input) as tf.SymbolicTensor
  const model = tf.model({ inputs: input, outputs: output, name: 'tiny' })
  const json = model.toJSON(null, false)
  model.dispose()
  return json
}

const kernel = { shape: [3, 2], data: Float32Array.from([1, 0, 0, 1, 1, 1]) }
const bias = { shape: [2], data: Float32Array.from([0.5, -0.5]) }

async function refusal(promise: Promise<tf.LayersModel>): Promise<string> {
  const err = await promise.then(
    (m) => {
      m.dispose()
      return null
    },
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(ApiError)
  return (err as ApiError).message
}

describe('modelFromTopology: the one builder of a model from a topology and weights', () => {
  it('sets the weights by name or in order, with the values given', async () => {
    const byName = await modelFromTopology(topology(), () => ({ byName: namedTensors(new Map([['fc/kernel', kernel], ['fc/bias', bias]])) }), { where: 'file', what: 'test model' })
    const inOrder = await modelFromTopology(topology(), () => ({ inOrder: [tf.tensor(kernel.data, kernel.shape), tf.tensor(bias.data, bias.shape)] }), { where: 'run', what: 'test model' })
    for (const model of [byName, inOrder]) {
      const y = model.predict(tf.tensor2d([[1, 2, 3]])) as tf.Tensor
      expect(Array.from(y.dataSync())).toEqual([1 + 3 + 0.5, 2 + 3 - 0.5])
      tf.dispose([y])
      model.dispose()
    }
  })

  it('refuses a missing, extra or misshapen weight and a wrong count, naming it, and leaves no tensor behind', async () => {
    const before = tf.memory().numTensors
    const build = (weights: Parameters<typeof modelFromTopology>[1]) => refusal(modelFromTopology(topology(), weights, { where: 'm.h5', what: 'test model' }))
    expect(await build(() => ({ byName: namedTensors(new Map([['fc/kernel', kernel]])) }))).toMatch(/^m\.h5: the layer weight "fc\/bias" has no values in the weight files/)
    expect(await build(() => ({ byName: namedTensors(new Map([['fc/kernel', kernel], ['fc/bias', bias], ['other/w', bias]])) }))).toMatch(/hold "other\/w", which no layer of the model has/)
    expect(await build(() => ({ byName: namedTensors(new Map([['fc/kernel', { shape: [2, 3], data: kernel.data }], ['fc/bias', bias]])) }))).toMatch(/"fc\/kernel" has the shape \[2, 3\] in the weight files but the model's layer needs \[3, 2\]/)
    expect(await build(() => ({ inOrder: [tf.tensor(bias.data, bias.shape)] }))).toMatch(/^m\.h5: 1 stored weights for a model with 2/)
    expect(await build(() => ({ inOrder: [tf.tensor(bias.data, bias.shape), tf.tensor(kernel.data, kernel.shape)] }))).toMatch(/stored weight 0 has the shape \[2\] but "fc\/kernel" needs \[3, 2\]/)
    // A reader failing half-way: the tensors it made are disposed too.
    expect(
      await build(() => {
        tf.tensor([1, 2, 3])
        throw new ApiError('bad_input', 'm.h5: weight 2 is damaged')
      })
    ).toBe('m.h5: weight 2 is damaged')
    expect(await refusal(modelFromTopology({ class_name: 'Nonsense', config: {} }, () => ({ inOrder: [] }), { where: 'x.json', what: 'test model' }))).toMatch(/^x\.json: the test model cannot be built/)
    expect(tf.memory().numTensors).toBe(before)
  })
})

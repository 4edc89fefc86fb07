import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { chosenEpoch } from '../../../../src-main/engine/analysis/core/runAccess'
import { copyModel } from '../../../../src-main/engine/models/storedModel'
import { handImage, handModel, H } from '../explain/handNetwork'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

describe('run access', () => {
  it('an own copy of a model predicts the same and outlives the original', async () => {
    const original = handModel()
    const x = tf.tensor4d(handImage(), [1, H, H, 1])
    const expected = Array.from(await (original.predict(x) as tf.Tensor).data())
    const copy = await copyModel(original)
    original.dispose()
    expect(copy.layers.map((l) => l.name)).toEqual(['image', 'c', 'p', 'flatten', 'out'])
    const got = Array.from(await (copy.predict(x) as tf.Tensor).data())
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6))
    copy.dispose()
    x.dispose()
  })

  it('takes the last stored epoch by default and names a missing one', () => {
    expect(chosenEpoch([0, 1, 3], undefined)).toBe(3)
    expect(chosenEpoch([0, 1, 3], 1)).toBe(1)
    expect(() => chosenEpoch([0, 1, 3], 2)).toThrow(/epoch: epoch 2 is not stored for this run; stored epochs are 0, 1, 3/)
  })
})

import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { dropoutSeeder } from '../../../../src-main/engine/train/dropoutSeeds'
import { chooseObjective } from '../../../../src-main/engine/train/objective'
import { singleThreadStep } from '../../../../src-main/engine/train/trainStep'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

/** input [64] -> Dropout(0.5): the training-mode output of ones is the mask (0 or 2). */
function dropoutOnly(seed?: number): tf.LayersModel {
  const input = tf.input({ shape: [64] })
  return tf.model({ inputs: input, outputs: tf.layers.dropout({ rate: 0.5, seed, name: 'drop' }).apply(input) as tf.SymbolicTensor })
}
const mask = (model: tf.LayersModel) => tf.tidy(() => Array.from((model.apply(tf.ones([1, 64]), { training: true }) as tf.Tensor).dataSync()))

describe('dropout masks', () => {
  it('repeat one mask under tfjs with a layer seed (as imported Keras models have), and do not with the seeder', () => {
    const model = dropoutOnly(3)
    expect(mask(model)).toEqual(mask(model))
    const seed = dropoutSeeder(model, 42)
    seed(0, 0)
    const first = mask(model)
    seed(1, 0)
    const second = mask(model)
    expect(second).not.toEqual(first)
    expect(first.filter((v) => v === 0).length).toBeGreaterThan(16) // about half dropped
    expect(first.filter((v) => v === 0).length).toBeLessThan(48)
    model.dispose()
  })

  it('differ per shard and per step, and the run seed reproduces them', () => {
    const a = dropoutOnly()
    const b = dropoutOnly()
    const seedA = dropoutSeeder(a, 7)
    const seedB = dropoutSeeder(b, 7)
    seedA(5, 0)
    const shard0 = mask(a)
    seedA(5, 1)
    const shard1 = mask(a)
    expect(shard1).not.toEqual(shard0)
    seedB(5, 0)
    expect(mask(b)).toEqual(shard0)
    seedB(5, 1)
    expect(mask(b)).toEqual(shard1)
    const other = dropoutSeeder(b, 8)
    other(5, 0)
    expect(mask(b)).not.toEqual(shard0)
    for (const m of [a, b]) m.dispose()
  })

  it('make two steps of a training run see different masks, and the same seed give the same run', async () => {
    const train = async (runSeed: number) => {
      const input = tf.input({ shape: [4, 4, 1] })
      let x = tf.layers.flatten().apply(input) as tf.SymbolicTensor
      x = tf.layers.dense({ units: 32, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), name: 'hidden' }).apply(x) as tf.SymbolicTensor
      x = tf.layers.dropout({ rate: 0.5, seed: 3, name: 'drop' }).apply(x) as tf.SymbolicTensor
      const out = tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }), name: 'out' }).apply(x) as tf.SymbolicTensor
      const model = tf.model({ inputs: input, outputs: out })
      const step = singleThreadStep(model, tf.train.sgd(0.1), chooseObjective('class', 2, 'auto'), { height: 4, width: 4, channels: 1 }, runSeed)
      const xs = Float32Array.from({ length: 8 * 16 }, (_, i) => ((i * 37) % 11) / 11)
      const ys = Float32Array.from({ length: 16 }, (_, i) => (i % 2 === (Math.floor(i / 2) % 2) ? 1 : 0))
      const seeds: number[] = []
      const losses: number[] = []
      for (let s = 0; s < 3; s++) {
        losses.push((await step.run(xs, ys, 8, s)).loss)
        seeds.push((model.getLayer('drop') as unknown as { seed: number }).seed)
      }
      const weights = model.getWeights().map((w) => Array.from(w.dataSync()))
      model.dispose()
      return { seeds, losses, weights }
    }
    const first = await train(11)
    expect(new Set(first.seeds).size).toBe(3)
    const again = await train(11)
    expect(again.weights).toEqual(first.weights)
    expect(again.losses).toEqual(first.losses)
    const other = await train(12)
    expect(other.weights).not.toEqual(first.weights)
  })
})

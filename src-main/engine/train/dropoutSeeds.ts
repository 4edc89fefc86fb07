import type * as tf from '@tensorflow/tfjs'

/** Layer classes whose masks tfjs draws from the layer's `seed` (tfjs-layers core.js). */
const SEEDED = new Set(['Dropout', 'SpatialDropout1D'])

type Layer = tf.LayersModel['layers'][number]

/** A layer whose masks come from its `seed` (a field tfjs does not expose in its types). */
function isSeeded(layer: Layer): layer is Layer & { seed?: number } {
  return SEEDED.has(layer.getClassName()) && 'seed' in layer
}

/** A 31-bit mix of the run's seed, the step, the shard and the layer (splitmix32-style). */
export function dropoutSeed(runSeed: number, step: number, shard: number, layer: number): number {
  let h = (runSeed ^ 0x9e3779b9) >>> 0
  for (const v of [step, shard, layer]) {
    h = Math.imul(h ^ (v >>> 0), 0x85ebca6b) >>> 0
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0
    h = (h ^ (h >>> 16)) >>> 0
  }
  return h & 0x7fffffff
}

/**
 * Sets every dropout layer's seed for one step of one shard. tfjs draws a dropout mask from
 * the layer's fixed seed on every call (so an imported model's Dropout repeats one mask) or,
 * without a seed, from Math.random (so no run can be repeated). Seeding per step and shard from
 * the run's seed gives fresh masks that the same run seed reproduces. Returns a no-op for a
 * model without dropout.
 */
export function dropoutSeeder(model: tf.LayersModel, runSeed: number): (step: number, shard: number) => void {
  const layers = model.layers.filter(isSeeded)
  if (layers.length === 0) return () => undefined
  return (step, shard) => {
    layers.forEach((layer, i) => {
      layer.seed = dropoutSeed(runSeed, step, shard, i)
    })
  }
}

import { availableParallelism } from 'node:os'
import { describe, expect, it } from 'vitest'
import { chooseTrainThreads, shardSizes, trainThreadsEnvVar } from '../../../../src-main/engine/train/shardedStep'

describe('how a batch is split across threads', () => {
  it('gives each thread an even share of at least 8 images, the first taking the remainder', () => {
    expect(shardSizes(64, 2)).toEqual([32, 32])
    expect(shardSizes(65, 2)).toEqual([33, 32])
    expect(shardSizes(50, 3)).toEqual([17, 17, 16])
    expect(shardSizes(20, 4)).toEqual([10, 10])
    expect(shardSizes(7, 4)).toEqual([7])
    expect(shardSizes(1, 2)).toEqual([1])
    for (const [size, threads] of [[64, 2], [100, 3], [9, 8], [4096, 8]]) expect(shardSizes(size, threads).reduce((a, b) => a + b)).toBe(size)
  })

  it('uses one thread per core on wasm and cpu, one on native backends, and obeys the environment', () => {
    const cores = Math.min(availableParallelism(), 8)
    expect(chooseTrainThreads('wasm', 64, {})).toBe(Math.min(cores, 8))
    expect(chooseTrainThreads('cpu', 16, {})).toBe(Math.min(cores, 2))
    expect(chooseTrainThreads('wasm', 8, {})).toBe(1)
    expect(chooseTrainThreads('tensorflow', 64, {})).toBe(1)
    expect(chooseTrainThreads('tensorflow-gpu', 64, {})).toBe(1)
    expect(chooseTrainThreads('wasm', 64, { [trainThreadsEnvVar]: '1' })).toBe(1)
    expect(chooseTrainThreads('tensorflow', 64, { [trainThreadsEnvVar]: '3' })).toBe(3)
    // Gradient workers stay on wasm/cpu: on webgpu the device takes the whole batch.
    expect(chooseTrainThreads('webgpu', 256, {})).toBe(1)
    expect(chooseTrainThreads('webgpu', 256, { [trainThreadsEnvVar]: '4' })).toBe(1)
    expect(chooseTrainThreads('wasm', 64, { [trainThreadsEnvVar]: 'many' })).toBe(Math.min(cores, 8))
    // wasm's own thread pool already uses the cores.
    expect(chooseTrainThreads('wasm', 64, { FEATURELENS_WASM_THREADS: '2' })).toBe(1)
  })
})

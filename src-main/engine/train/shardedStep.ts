import * as tf from '@tensorflow/tfjs'
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { BackendName } from '../../../src-shared/backend'
import type { ModelInputShape, ModelSpec } from '../../../src-shared/model'
import { wantedThreads } from '../backend/wasmThreads'
import type { Objective } from './objective'
import { createEndpoint, type Endpoint } from '../../../src-shared/rpc/endpoint'
import { threadTransport } from '../../../src-shared/rpc/nodePorts'
import { ShardOutcome, type ShardRequest, type ShardWorkerSetup } from './shardMessages'
import { dropoutSeeder } from './dropoutSeeds'
import { batchTensors, lossOfBatch, singleThreadStep, type StepOutcome, type TrainStep } from './trainStep'
import { typeScriptWorkerCode } from '../tasks/tsxLoader'

/** The environment variable that fixes how many threads compute each batch (1 turns workers off). */
export const trainThreadsEnvVar = 'FEATURELENS_TRAIN_THREADS'
/** A shard smaller than this costs more in per-step overhead than it saves. */
const MIN_SHARD = 8
const MAX_THREADS = 8
const workerCode = typeScriptWorkerCode(new URL('./gradientWorker.ts', import.meta.url))

/**
 * How many threads should compute each batch: one per core on the backends that run on one
 * (wasm, cpu), as long as each gets at least MIN_SHARD images; one where the backend has its
 * own threads or a GPU. FEATURELENS_TRAIN_THREADS overrides it, except on webgpu.
 */
export function chooseTrainThreads(backend: BackendName, batchSize: number, env: NodeJS.ProcessEnv = process.env): number {
  // A worker would start its own device on the GPU; the device computes the whole batch itself.
  if (backend === 'webgpu') return 1
  const fromEnv = Number(env[trainThreadsEnvVar])
  if (Number.isInteger(fromEnv) && fromEnv >= 1) return Math.min(fromEnv, MAX_THREADS)
  if (backend !== 'wasm' && backend !== 'cpu') return 1
  // wasm's own thread pool (opt-in) already spreads each kernel over the cores.
  if (backend === 'wasm' && wantedThreads(env) > 1) return 1
  return Math.max(1, Math.min(availableParallelism(), MAX_THREADS, Math.floor(batchSize / MIN_SHARD)))
}

/** Splits a batch into at most `threads` shards of at least MIN_SHARD images (the first may be one larger). */
export function shardSizes(size: number, threads: number): number[] {
  const count = Math.max(1, Math.min(threads, Math.floor(size / MIN_SHARD)))
  const base = Math.floor(size / count)
  return Array.from({ length: count }, (_, i) => base + (i < size - base * count ? 1 : 0))
}

export interface ReplicaRecipe {
  backend: BackendName
  spec: ModelSpec
  input: ModelInputShape
  objective: Objective
  seed: number
  /** The workspace database, for a model that starts from a stored run. */
  database?: string
}

class ShardWorker {
  private failure: Error | null = null
  readonly grads: Float32Array

  private constructor(
    private readonly worker: Worker,
    private readonly link: Endpoint,
    grads: SharedArrayBuffer
  ) {
    this.grads = new Float32Array(grads)
  }

  /** Resolves once the worker has built its replica, or rejects with why it could not. */
  static async start(setup: ShardWorkerSetup): Promise<ShardWorker> {
    const worker = new Worker(workerCode, { eval: true, workerData: setup })
    const link = createEndpoint(threadTransport(worker), { unavailable: (why) => `the worker stopped (${why})` })
    try {
      await link.call('ready', {})
    } catch (err) {
      void worker.terminate()
      throw new Error(err instanceof Error ? err.message : String(err))
    }
    return new ShardWorker(worker, link, setup.grads)
  }

  /** One shard's step; the shard's arrays move to the worker. A worker that failed once stays failed. */
  async run(request: ShardRequest): Promise<StepOutcome> {
    if (this.failure) throw this.failure
    try {
      return ShardOutcome.parse(await this.link.call('step', request, { transfer: [request.x.buffer as ArrayBuffer, request.y.buffer as ArrayBuffer] }))
    } catch (err) {
      this.failure ??= new Error(`a gradient worker failed: ${err instanceof Error ? err.message : String(err)}`)
      throw this.failure
    }
  }

  async close(): Promise<void> {
    this.link.close()
    await this.worker.terminate()
  }
}

/**
 * Data-parallel training on one machine: each batch is split into shards; the main thread
 * computes the first shard's gradients while worker threads compute the others on their own
 * replicas. The gradients are averaged, weighted by shard size (so the result is the whole
 * batch's gradient up to rounding), and the optimizer updates the weights once, here; the
 * workers load the new weights before their next shard. Batch-norm statistics are per shard,
 * as with PyTorch's DistributedDataParallel.
 */
export async function startShardedStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  recipe: ReplicaRecipe,
  threads: number,
  onFallback: (reason: string) => void = () => undefined
): Promise<TrainStep> {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable)
  const offsets: number[] = []
  const total = vars.reduce((at, v) => (offsets.push(at), at + v.size), 0)
  const weightsBuffer = new SharedArrayBuffer(total * 4)
  const weights = new Float32Array(weightsBuffer)
  const shapes = vars.map((v) => v.shape)
  const started = await Promise.allSettled(
    Array.from({ length: threads - 1 }, () => ShardWorker.start({ ...recipe, shapes, weights: weightsBuffer, grads: new SharedArrayBuffer(total * 4) }))
  )
  const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  const refused = started.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (refused) {
    await Promise.all(workers.map((w) => w.close()))
    throw refused.reason instanceof Error ? refused.reason : new Error(String(refused.reason))
  }

  const { input, objective } = recipe
  const pixels = input.height * input.width * input.channels
  let version = 0
  let shared = -1
  let failed = false
  const single = singleThreadStep(model, optimizer, objective, input, recipe.seed)
  const seedDropout = dropoutSeeder(model, recipe.seed)
  let count = 0

  return {
    threads,
    async run(x, y, size, step = count) {
      count = step + 1
      const sizes = failed ? [size] : shardSizes(size, threads)
      if (sizes.length === 1) {
        version++
        return single.run(x, y, size, step)
      }
      // Shard 0 here, shard j + 1 in worker j: each draws its own dropout masks.
      seedDropout(step, 0)
      if (shared !== version) {
        const values = await Promise.all(vars.map((v) => v.data() as Promise<Float32Array>))
        values.forEach((value, i) => weights.set(value, offsets[i]))
        shared = version
      }
      const labels = y.length / size
      const starts = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0))
      const remote = sizes.slice(1).map((n, j) => {
        const from = starts[j + 1]
        return workers[j].run({ version, step, shard: j + 1, size: n, x: x.slice(from * pixels, (from + n) * pixels), y: y.slice(from * labels, (from + n) * labels) })
      })
      const { xs, ys } = batchTensors(input, x.subarray(0, sizes[0] * pixels), y.subarray(0, sizes[0] * labels), sizes[0])
      const batch = lossOfBatch(model, objective, xs, ys)
      const { value, grads } = optimizer.computeGradients(batch.loss, vars)
      const kept = batch.correct()
      let outcomes: StepOutcome[]
      try {
        outcomes = await Promise.all(remote)
      } catch (err) {
        // A worker died (e.g. out of memory): nothing was applied yet, so this batch and the
        // rest of the run are trained on this thread alone.
        tf.dispose([xs, ys, value, kept, ...Object.values(grads)])
        failed = true
        await Promise.allSettled(workers.map((w) => w.close()))
        onFallback(`training on one thread from here: ${err instanceof Error ? err.message : String(err)}`)
        return single.run(x, y, size, step)
      }
      const share = sizes.map((n) => n / size)
      const averaged: tf.NamedTensorMap = {}
      const myGrads = await Promise.all(vars.map((v) => grads[v.name]?.data() as Promise<Float32Array> | undefined))
      vars.forEach((v, i) => {
        // A variable the loss does not reach has no gradient in any replica (they run the same
        // graph) and is left out, as the single-thread step leaves it out.
        const mine = myGrads[i]
        if (!mine) return
        const sum = new Float32Array(v.size)
        for (let k = 0; k < sum.length; k++) sum[k] = share[0] * mine[k]
        workers.forEach((w, j) => {
          const theirs = w.grads.subarray(offsets[i], offsets[i] + v.size)
          const s = share[j + 1]
          for (let k = 0; k < sum.length; k++) sum[k] += s * theirs[k]
        })
        averaged[v.name] = tf.tensor(sum, v.shape)
      })
      optimizer.applyGradients(averaged)
      version++
      const [myLoss, myCorrect] = await Promise.all([value.data(), kept.data()])
      const loss = share[0] * myLoss[0] + outcomes.reduce((a, o, j) => a + share[j + 1] * o.loss, 0)
      const correct = myCorrect[0] + outcomes.reduce((a, o) => a + o.correct, 0)
      tf.dispose([xs, ys, value, kept, ...Object.values(grads), ...Object.values(averaged)])
      return { loss, correct }
    },
    async close() {
      if (!failed) await Promise.all(workers.map((w) => w.close()))
    }
  }
}

/**
 * The step a training run uses: data-parallel over `threads` when that is more than one and
 * the workers start, else the plain step. `note` says what was chosen, or why workers were not used.
 */
export async function createTrainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  recipe: ReplicaRecipe,
  threads: number,
  onFallback?: (reason: string) => void
): Promise<{ step: TrainStep; note: string }> {
  if (threads > 1) {
    try {
      return { step: await startShardedStep(model, optimizer, recipe, threads, onFallback), note: `each batch is split across ${threads} threads` }
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err)
      return { step: singleThreadStep(model, optimizer, recipe.objective, recipe.input, recipe.seed), note: `training on one thread: gradient workers did not start (${why})` }
    }
  }
  return { step: singleThreadStep(model, optimizer, recipe.objective, recipe.input, recipe.seed), note: 'training on one thread' }
}

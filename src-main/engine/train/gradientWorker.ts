/**
 * A data-parallel gradient worker (a worker thread of the training job). It holds a replica of
 * the model on its own backend instance; per step it loads the weights the main thread shared,
 * computes the gradients of its shard of the batch and writes them back. It never updates
 * weights itself: the optimizer runs once, on the main thread.
 */
import * as tf from '@tensorflow/tfjs'
import { parentPort, workerData } from 'node:worker_threads'
import { initBackend } from '../backend/select'
import { buildModel } from '../models/index'
import { openWorkspaceDb } from '../store/database'
import { dropoutSeeder } from './dropoutSeeds'
import { createEndpoint } from '../../../src-shared/rpc/endpoint'
import { threadTransport } from '../../../src-shared/rpc/nodePorts'
import { ShardRequest, type ShardWorkerSetup } from './shardMessages'
import { batchTensors, lossOfBatch } from './trainStep'

const setup = workerData as ShardWorkerSetup
type Step = (request: ShardRequest) => Promise<{ loss: number; correct: number }>

async function start(): Promise<Step> {
  await initBackend(setup.backend)
  const db = setup.database ? openWorkspaceDb(setup.database, { readonly: true }) : undefined
  const model = await buildModel(setup.spec, setup.input, setup.objective.numOutputs, setup.objective.outputActivation, setup.seed, db)
  db?.close()
  const seedDropout = dropoutSeeder(model, setup.seed)
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable)
  const shapes = vars.map((v) => v.shape)
  if (JSON.stringify(shapes) !== JSON.stringify(setup.shapes)) {
    throw new Error(`the worker's model has trainable weights ${JSON.stringify(shapes)}, the job's ${JSON.stringify(setup.shapes)}`)
  }
  const offsets: number[] = []
  vars.reduce((at, v) => (offsets.push(at), at + v.size), 0)
  const weights = new Float32Array(setup.weights)
  const grads = new Float32Array(setup.grads)
  let version = -1

  return async (request) => {
    if (request.version !== version) {
      tf.tidy(() => vars.forEach((v, i) => v.assign(tf.tensor(weights.subarray(offsets[i], offsets[i] + v.size), v.shape))))
      version = request.version
    }
    seedDropout(request.step, request.shard)
    const { xs, ys } = batchTensors(setup.input, request.x, request.y, request.size)
    const batch = lossOfBatch(model, setup.objective, xs, ys)
    const { value, grads: named } = tf.variableGrads(batch.loss, vars)
    const values = await Promise.all(vars.map((v) => named[v.name]?.data() as Promise<Float32Array> | undefined))
    vars.forEach((v, i) => {
      const g = values[i]
      if (g) grads.set(g, offsets[i])
      else grads.fill(0, offsets[i], offsets[i] + v.size)
    })
    const kept = batch.correct()
    const [[loss], [correct]] = await Promise.all([value.data(), kept.data()])
    tf.dispose([xs, ys, value, kept, ...Object.values(named)])
    return { loss, correct }
  }
}

// 'ready' answers once the replica is built (or with why it could not be); 'step' computes one shard.
const ready = start()
ready.catch(() => undefined)
createEndpoint(threadTransport(parentPort!), {
  serve: async (method, params) => {
    const step = await ready
    return method === 'ready' ? null : step(ShardRequest.parse(params))
  }
})

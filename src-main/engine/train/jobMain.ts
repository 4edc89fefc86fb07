/**
 * A training job: its own OS process, started by the job supervisor with
 *   node --import tsx jobMain.ts --run ID --workspace DIR
 * It owns its run's rows while it lives. Each epoch is committed in one transaction with
 * synchronous=FULL, so killing this process at any moment loses at most the epoch in flight.
 */
import * as tf from '@tensorflow/tfjs'
import { join } from 'node:path'
import { computeLabel } from '../../../src-shared/backend'
import { TrainConfig, type EpochMetrics } from '../../../src-shared/run'
import { initBackend } from '../backend/select'
import { openWorkspaceDb } from '../store/database'
import { storeEpochPyramids } from '../analysis/weights/epochPyramids'
import { commitEpoch, lastCompleteEpoch, loadTensors } from '../store/epochStore'
import { getRun, getRunRow, setModelTopology, setRunCompute, setRunStatus } from '../store/runStore'
import { buildModel } from '../models/index'
import { readImportedInput, validateModelFit } from './modelFit'
import { openTrainingData } from './datasetTrainingData'
import { describeJobFailure } from './jobFailure'
import { createEndpoint } from '../../../src-shared/rpc/endpoint'
import { processTransport } from '../../../src-shared/rpc/nodePorts'
import { toJob, type JobMessage } from './jobMessages'
import { chooseObjective, createOptimizer } from './objective'
import { chooseTrainThreads, createTrainStep } from './shardedStep'
import { trainLoop } from './trainLoop'

function argument(name: string): string {
  const i = process.argv.indexOf(`--${name}`)
  const value = i >= 0 ? process.argv[i + 1] : undefined
  if (!value) throw new Error(`jobMain needs --${name}`)
  return value
}

const runId = argument('run')
const workspaceDir = argument('workspace')
let stopRequested = false
// Why the run stops early: the user cancelled, or whoever started it went away (then nobody
// could follow or cancel it, so it stops at the next batch and can be resumed later).
let stopStatus: 'cancelled' | 'interrupted' = 'cancelled'
const supervisor = createEndpoint(processTransport(process, 'child'), { events: toJob, onEvent: () => (stopRequested = true) })
const send = (message: JobMessage): void => {
  if (process.send) supervisor.emit('job', message)
  else process.stdout.write(JSON.stringify(message) + '\n')
}
process.on('SIGTERM', () => (stopRequested = true))
process.on('disconnect', () => {
  stopStatus = 'interrupted'
  stopRequested = true
})

const db = openWorkspaceDb(join(workspaceDir, 'featurelens.sqlite'), { durable: true })

async function main(): Promise<void> {
  const config = TrainConfig.parse(JSON.parse(getRunRow(db, runId).config))
  setRunStatus(db, runId, 'running', null, process.pid)
  send({ t: 'status', status: 'running', reason: null })
  const progressBase = { runId, epochs: config.epochs }
  const say = (message: string) =>
    send({ t: 'progress', progress: { ...progressBase, phase: 'preparing', epoch: 0, batch: 0, batches: 0, loss: null, imagesPerSecond: null, fraction: 0, etaSeconds: null, message } })
  say('opening the dataset')

  const backend = await initBackend(config.backend ?? null)
  setRunCompute(db, runId, computeLabel(backend))
  if (backend.details.fallback) say(String(backend.details.fallback))
  const imported = await readImportedInput(config.model, db)
  const data = await openTrainingData(config, (shape, numClasses) => validateModelFit(config.model, shape, numClasses, imported).input)
  const objective = chooseObjective(data.labelKind, data.classNames.length, config.loss)
  const model = await buildModel(config.model, data.input, objective.numOutputs, objective.outputActivation, config.seed, db)
  const optimizer = createOptimizer(config.optimizer, config.learningRate, config.momentum)
  setModelTopology(db, runId, model.toJSON(null, false))
  const threads = chooseTrainThreads(backend.chosen, config.batchSize)
  const recipe = { backend: backend.chosen, spec: config.model, input: data.input, objective, seed: config.seed, database: join(workspaceDir, 'featurelens.sqlite') }
  const { step, note } = await createTrainStep(model, optimizer, recipe, threads, (reason) => {
    say(reason)
    if (process.env.FEATURELENS_DEBUG) console.error(reason)
  })
  say(note)

  const resumeFrom = lastCompleteEpoch(db, runId)
  if (resumeFrom !== null) {
    const weights = loadTensors(db, runId, resumeFrom, 'weight')
    model.setWeights(weights.map((w) => tf.tensor(w.data, w.shape, w.dtype)))
    const state = loadTensors(db, runId, resumeFrom, 'optimizer')
    if (state.length) await optimizer.setWeights(state.map((s) => ({ name: s.name, tensor: tf.tensor(s.data, s.shape, s.dtype) })))
  }

  let lastProgress = 0
  // The metrics just committed, reported once the epoch's tensors are counted.
  let committed: EpochMetrics | null = null
  const outcome = await trainLoop({
    model, optimizer, objective, data, config, step,
    resumeFrom: resumeFrom ?? -1,
    hooks: {
      onProgress(p) {
        const now = performance.now()
        // A progress message per batch would flood the UI; a few per second is plenty.
        if (now - lastProgress < 200 && p.batch !== p.batches) return
        lastProgress = now
        send({ t: 'progress', progress: { ...progressBase, ...p } })
      },
      commitEpoch(record) {
        send({ t: 'progress', progress: { ...progressBase, phase: 'saving', epoch: record.metrics.epoch, batch: 0, batches: 0, loss: null, imagesPerSecond: null, fraction: Math.min(1, record.metrics.epoch / config.epochs), etaSeconds: null } })
        commitEpoch(db, runId, record)
        // Big weight maps then paint at once in the inspector, for every epoch (see epochPyramids.ts).
        storeEpochPyramids(db, runId, record.metrics.epoch, record.weights)
        committed = record.metrics
      },
      afterEpoch(_epoch, numTensors) {
        if (committed) send({ t: 'epoch', metrics: committed, numTensors })
      },
      shouldStop: () => stopRequested
    }
  })
  await step.close()
  const status = outcome === 'completed' ? 'completed' : stopStatus
  const reason =
    outcome === 'completed'
      ? null
      : stopStatus === 'cancelled'
        ? 'cancelled by the user; the completed epochs are kept'
        : 'the Featurelens process that started this run exited; the completed epochs are kept and the run can be resumed'
  setRunStatus(db, runId, status, reason)
  send({ t: 'status', status, reason })
}

/** What a failure message names: the run, its batch size and what it computed on. */
function runContext(): { runName: string; batchSize: number; compute: string | null } | undefined {
  try {
    const row = getRunRow(db, runId)
    return { runName: row.name, batchSize: TrainConfig.parse(JSON.parse(row.config)).batchSize, compute: getRun(db, runId).compute ?? null }
  } catch {
    return undefined
  }
}

main()
  .then(() => {
    db.close()
    process.exit(0)
  })
  .catch((err: unknown) => {
    const reason = describeJobFailure(err, workspaceDir, runContext())
    try {
      setRunStatus(db, runId, 'failed', reason)
    } catch {
      // The database itself may be what failed (e.g. a full disk); the supervisor records it.
    }
    send({ t: 'status', status: 'failed', reason })
    if (process.env.FEATURELENS_DEBUG) console.error(err)
    process.exitCode = 1
    setTimeout(() => process.exit(1), 100)
  })

import { randomBytes } from 'node:crypto'
import { ApiError } from '../../src-shared/errors'
import type { BackendName } from '../../src-shared/backend'
import type { TrainConfig } from '../../src-shared/run'
import { readSetting } from '../engine/store/settings'
import { createRun, deleteRun, getRun, getRunDetail, listRuns } from '../engine/store/runStore'
import { checkRunConfig } from '../engine/train/checkRunConfig'
import { estimateRunInWorker } from '../engine/train/estimateRun'
import type { ApiContext } from './context'
import type { Handler } from './router'

/** A run without its own backend uses the one chosen in Settings, if any. */
function withPreferredBackend(context: ApiContext, config: TrainConfig): TrainConfig {
  if (config.backend) return config
  const preferred = readSetting<BackendName>(context.db, 'backend')
  return preferred ? { ...config, backend: preferred } : config
}

export const runHandlers: {
  'runs.list': Handler<'runs.list'>
  'runs.get': Handler<'runs.get'>
  'runs.start': Handler<'runs.start'>
  'runs.startPair': Handler<'runs.startPair'>
  'runs.estimate': Handler<'runs.estimate'>
  'runs.cancel': Handler<'runs.cancel'>
  'runs.resume': Handler<'runs.resume'>
  'runs.delete': Handler<'runs.delete'>
} = {
  'runs.list': (_request, context) => listRuns(context.db),
  'runs.get': ({ id }, context) => getRunDetail(context.db, id),
  'runs.start': async (request, context) => {
    const config = withPreferredBackend(context, request.config)
    await checkRunConfig(config, context.db)
    const id = createRun(context.db, config)
    context.jobs.enqueue(id)
    return getRun(context.db, id)
  },
  'runs.estimate': (request, context) => estimateRunInWorker(withPreferredBackend(context, request.config)),
  'runs.startPair': async (request, context) => {
    const { attributes } = request
    const config = withPreferredBackend(context, request.config)
    if (attributes[0] === attributes[1]) throw new ApiError('invalid_request', `attributes: a pair needs two different labels, got "${attributes[0]}" twice`)
    const configs = attributes.map((attribute) => ({ ...config, label: { kind: 'attribute' as const, attribute }, name: config.name ? `${config.name} · ${attribute}` : undefined }))
    for (const c of configs) await checkRunConfig(c, context.db)
    const pairId = `pair-${randomBytes(4).toString('hex')}`
    const ids = configs.map((c) => createRun(context.db, c, { pairId }))
    ids.forEach((id) => context.jobs.enqueue(id))
    return { pairId, runs: [getRun(context.db, ids[0]), getRun(context.db, ids[1])] }
  },
  'runs.cancel': ({ id }, context) => {
    getRun(context.db, id)
    context.jobs.cancel(id)
    return getRun(context.db, id)
  },
  'runs.resume': ({ id }, context) => {
    const run = getRun(context.db, id)
    if (run.config.source) throw new ApiError('conflict', `${id} is an opened model, not trained here; fine-tune it into a new run instead`)
    if (run.status === 'completed') throw new ApiError('conflict', `${id} already completed all ${run.config.epochs} epochs`)
    if (context.jobs.isBusy(id)) throw new ApiError('conflict', `${id} is already running or queued`)
    context.jobs.enqueue(id)
    return getRun(context.db, id)
  },
  'runs.delete': ({ id }, context) => {
    if (context.jobs.isBusy(id)) throw new ApiError('conflict', `${id} is running or queued; cancel it before deleting it`)
    const spaceNote = deleteRun(context.db, id)
    return spaceNote ? { deleted: id, spaceNote } : { deleted: id }
  }
}

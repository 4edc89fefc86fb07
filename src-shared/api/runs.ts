import { z } from 'zod'
import { RunDetail, RunEpochEvent, RunEstimate, RunProgress, RunStatusEvent, RunSummary, TrainConfig } from '../run'

const runId = z.object({ id: z.string().min(1) }).strict()

export const runMethods = {
  'runs.list': { request: z.object({}).strict(), response: z.array(RunSummary) },
  'runs.get': { request: runId, response: RunDetail },
  /** Validates the config (dataset, model fit) and queues the run. */
  'runs.start': { request: z.object({ config: TrainConfig }).strict(), response: RunSummary },
  /** Time and storage per epoch before starting: the parameter count and a quick timing of training steps. */
  'runs.estimate': { request: z.object({ config: TrainConfig }).strict(), response: RunEstimate },
  /** The same model and images trained twice, once per label; the runs are linked as a pair. */
  'runs.startPair': {
    request: z.object({ config: TrainConfig, attributes: z.tuple([z.string().min(1), z.string().min(1)]) }).strict(),
    response: z.object({ pairId: z.string(), runs: z.tuple([RunSummary, RunSummary]) })
  },
  'runs.cancel': { request: runId, response: RunSummary },
  'runs.resume': { request: runId, response: RunSummary },
  'runs.delete': { request: runId, response: z.object({ deleted: z.string(), spaceNote: z.string().optional() }) }
} as const

export const runEvents = {
  'runs.progress': RunProgress,
  'runs.status': RunStatusEvent,
  'runs.epoch': RunEpochEvent
} as const

import { Worker } from 'node:worker_threads'
import { z } from 'zod'
import { isMethodName } from '../../src-shared/contract'
import { createEndpoint, restartable } from '../../src-shared/rpc/endpoint'
import { threadTransport } from '../../src-shared/rpc/nodePorts'
import { typeScriptWorkerCode } from '../engine/tasks/tsxLoader'
import type { EventBus } from './context'
import type { Dispatch } from './router'

export interface WorkerSetup {
  workspace: string
  shell: 'electron' | 'web'
}

/** The events the main thread sends its analysis worker. */
export const toWorkerEvents = {
  /** A newly stored epoch: prepare its big weights' pyramids (see preparePyramidsOnEpochs). */
  prepareEpoch: z.object({ runId: z.string(), epoch: z.number().int().nonnegative() })
}

/**
 * Methods the main thread keeps: training runs (the job queue and its processes live there), the
 * backend choice for them, and app facts. Every other method, present and future (analyses,
 * datasets, tasks and their cancels), goes to the analysis worker.
 */
export function runsOnMain(method: string): boolean {
  return method.startsWith('runs.') || method.startsWith('backend.') || method.startsWith('app.')
}

const workerCode = typeScriptWorkerCode(new URL('./analysisWorker.ts', import.meta.url))

/**
 * Wraps the main thread's dispatcher: methods that do not run on main are sent to one analysis
 * worker thread, with their events relayed to the main event bus. Results cross by structured
 * clone (the worker keeps its caches, so their arrays are copied, not moved). A worker that dies
 * fails its calls in flight with 'unavailable'; the next call starts a new one.
 */
export function offloadAnalyses(local: Dispatch, setup: WorkerSetup, events: EventBus): { dispatch: Dispatch; prepareEpoch(runId: string, epoch: number): void; close(): void } {
  const worker = restartable(() => {
    const started = new Worker(workerCode, { eval: true, workerData: setup })
    // The worker must not keep a closing process alive.
    started.unref()
    return createEndpoint(threadTransport(started), {
      // Passed on as they are: the shell and the browsers check each event as it reaches them.
      forward: (name, payload) => events.relay(name, payload),
      unavailable: (why) => `the analysis worker stopped (${why}); try again`,
      peer: 'the analysis worker'
    })
  })
  worker.get()

  const dispatch: Dispatch = async (method, params) => {
    if (!isMethodName(method) || runsOnMain(method)) {
      const value = await local(method, params)
      // The backend the user picks serves the analyses too: the worker switches with main.
      if (method === 'backend.select') await worker.get().call(method, params).catch(() => undefined)
      return value
    }
    return worker.get().call(method, params)
  }

  return {
    dispatch,
    prepareEpoch: (runId, epoch) => worker.get().emit('prepareEpoch', { runId, epoch }),
    close: () => worker.stop()
  }
}

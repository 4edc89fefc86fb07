import { Worker } from 'node:worker_threads'
import { isMethodName, type EventName } from '../../src-shared/contract'
import { ApiError, type ApiErrorShape } from '../../src-shared/errors'
import { typeScriptWorkerCode } from '../engine/train/tsxLoader'
import type { EventBus } from './context'
import type { Dispatch } from './router'

export interface WorkerSetup {
  workspace: string
  shell: 'electron' | 'web'
}
export type WorkerRequest = { t: 'call'; id: number; method: string; params: unknown } | { t: 'prepareEpoch'; runId: string; epoch: number }
export type WorkerReply = { t: 'result'; id: number; ok: true; value: unknown } | { t: 'result'; id: number; ok: false; error: ApiErrorShape } | { t: 'event'; name: string; payload: unknown }

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
  let worker: Worker | null = null
  let nextId = 1
  const pending = new Map<number, { worker: Worker; resolve: (value: unknown) => void; reject: (err: ApiError) => void }>()

  function failPending(dead: Worker, why: string): void {
    for (const [id, waiter] of pending) {
      if (waiter.worker !== dead) continue
      pending.delete(id)
      waiter.reject(new ApiError('unavailable', `the analysis worker stopped (${why}); try again`))
    }
    if (worker === dead) worker = null
  }

  function start(): Worker {
    const started = new Worker(workerCode, { eval: true, workerData: setup })
    started.on('message', (message: WorkerReply) => {
      if (message.t === 'event') {
        events.emit(message.name as EventName, message.payload as never)
        return
      }
      const waiter = pending.get(message.id)
      pending.delete(message.id)
      if (!waiter) return
      if (message.ok) waiter.resolve(message.value)
      else waiter.reject(new ApiError(message.error.code, message.error.message))
    })
    started.on('error', (err) => failPending(started, err.message))
    started.on('exit', (code) => failPending(started, `exit ${code}`))
    // The worker must not keep a closing process alive.
    started.unref()
    return started
  }
  worker = start()

  const dispatch: Dispatch = async (method, params) => {
    if (!isMethodName(method) || runsOnMain(method)) {
      const value = await local(method, params)
      // The backend the user picks serves the analyses too: the worker switches with main.
      if (method === 'backend.select') await inWorker(method, params).catch(() => undefined)
      return value
    }
    return inWorker(method, params)
  }

  function inWorker(method: string, params: unknown): Promise<unknown> {
    const target = worker ?? (worker = start())
    const id = nextId++
    return new Promise((resolve, reject) => {
      pending.set(id, { worker: target, resolve, reject })
      try {
        target.postMessage({ t: 'call', id, method, params } satisfies WorkerRequest)
      } catch (err) {
        pending.delete(id)
        reject(new ApiError('invalid_request', `the ${method} request cannot be sent to the analysis worker: ${(err as Error).message}`))
      }
    })
  }

  return {
    dispatch,
    /** Big weights' pyramids of a newly stored epoch, prepared in the worker (see preparePyramidsOnEpochs). */
    prepareEpoch: (runId, epoch) => (worker ?? (worker = start())).postMessage({ t: 'prepareEpoch', runId, epoch } satisfies WorkerRequest),
    close: () => {
      const last = worker
      worker = null
      if (last) void last.terminate()
    }
  }
}

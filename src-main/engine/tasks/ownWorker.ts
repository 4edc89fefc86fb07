/**
 * Work in a worker thread of its own: it cannot block the thread that asked (the analysis worker
 * keeps answering), and the memory it took goes back when the worker ends. A job worker runs
 * one job at a time; it ends after a job when `endAfter` says so (always, by default), or after
 * `idleMs` without work. The worker module calls `serveJobs`. Both sides talk through the one
 * RPC endpoint (src-shared/rpc), like every other pair of threads and processes.
 */
import { getHeapStatistics } from 'node:v8'
import { parentPort, Worker } from 'node:worker_threads'
import { ApiError } from '../../../src-shared/errors'
import { createEndpoint, type Endpoint } from '../../../src-shared/rpc/endpoint'
import { threadTransport } from '../../../src-shared/rpc/nodePorts'
import { typeScriptWorkerCode } from './tsxLoader'

/** What the worker answers a job with: its value, and the memory it holds afterwards. */
interface JobResult<T> {
  value: T
  heapMb: number
}

export interface JobWorkerOptions {
  /** What the work is, for errors ("the export"). */
  what: string
  /** Largest JavaScript heap of the worker, in MiB; past it the job fails, saying so. */
  maxHeapMb?: number
  /** Whether to end the worker after a job, from the heap (with array buffers) it holds then. Default: always. */
  endAfter?(heapMb: number): boolean
  /** How long a worker kept for the next job waits before it ends. */
  idleMs?: number
}

export interface JobWorker<D, T> {
  /** Runs one job after those before it; `onStart` gets, at once, a way to stop it (the job then fails with `why`). */
  run(data: D, onStart?: (stop: (why: ApiError) => void) => void): Promise<T>
  close(): void
}

interface Running {
  thread: Worker
  endpoint: Endpoint
  /** Set when the thread died for want of memory. */
  outOfMemory: boolean
}

export function jobWorker<D, T>(entry: URL, options: JobWorkerOptions): JobWorker<D, T> {
  const code = typeScriptWorkerCode(entry)
  let current: Running | null = null
  let idle: NodeJS.Timeout | null = null
  let tail: Promise<unknown> = Promise.resolve()

  const end = (w: Running): void => {
    if (current === w) current = null
    w.endpoint.close()
  }

  function start(): Running {
    const thread = new Worker(code, { eval: true, resourceLimits: options.maxHeapMb ? { maxOldGenerationSizeMb: options.maxHeapMb } : undefined })
    const running: Running = { thread, endpoint: createEndpoint(threadTransport(thread), { peer: options.what, unavailable: (why) => `${options.what} stopped (${why}) before it replied` }), outOfMemory: false }
    thread.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') running.outOfMemory = true
    })
    thread.on('exit', () => {
      if (current === running) current = null
    })
    return running
  }

  interface Job {
    stopped: ApiError | null
    worker: Running | null
  }

  async function runNow(data: D, job: Job): Promise<T> {
    if (job.stopped) throw job.stopped
    if (idle) clearTimeout(idle)
    const w = current ?? (current = start())
    job.worker = w
    // Holds the process open while the job runs (a CLI awaiting it), not while the worker waits.
    w.thread.ref()
    let result: JobResult<T>
    try {
      result = (await w.endpoint.call('job', data)) as JobResult<T>
    } catch (err) {
      end(w)
      if (job.stopped) throw job.stopped
      if (w.outOfMemory) throw new ApiError('bad_input', `${options.what} needed more than ${options.maxHeapMb} MiB of memory and was stopped; ask for a smaller size or a lower DPI`)
      throw err
    }
    if (options.endAfter?.(result.heapMb) ?? true) end(w)
    else {
      w.thread.unref()
      idle = setTimeout(() => end(w), options.idleMs ?? 30_000)
      idle.unref()
    }
    return result.value
  }

  return {
    run(data, onStart) {
      const job: Job = { stopped: null, worker: null }
      // Stoppable at once, whether it still waits its turn or already runs.
      onStart?.((why) => {
        job.stopped = why
        if (job.worker) end(job.worker)
      })
      const result = tail.then(() => runNow(data, job))
      tail = result.catch(() => undefined)
      return result
    },
    close() {
      if (idle) clearTimeout(idle)
      if (current) end(current)
    }
  }
}

/** Runs one job in a worker of its own, ended when it replies. */
export async function inOwnWorker<T, D = unknown>(entry: URL, data: D, options: JobWorkerOptions, onStart?: (stop: (why: ApiError) => void) => void): Promise<T> {
  const once = jobWorker<D, T>(entry, { ...options, endAfter: () => true })
  try {
    return await once.run(data, onStart)
  } finally {
    once.close()
  }
}

/**
 * The memory the worker holds, in MiB: its whole JavaScript heap as committed (not only the live
 * part: after a big job V8 keeps the heap it grew to, and a collection may just have run) and the
 * array buffers outside it.
 */
function heapMb(): number {
  const heap = getHeapStatistics()
  return (heap.total_heap_size + heap.external_memory) / (1024 * 1024)
}

/**
 * The worker side: answers each job with `work(data)`; `transfer` names buffers to move, not
 * copy. `data` is what the caller gave to run(), as structured clone delivers it.
 */
export function serveJobs<D, T>(work: (data: D) => Promise<T>, transfer: (value: T) => ArrayBuffer[] = () => []): void {
  const port = parentPort
  if (!port) throw new Error('this module runs only as a worker thread')
  createEndpoint(threadTransport(port), {
    serve: async (_method, data) => ({ value: await work(data as D), heapMb: heapMb() }) satisfies JobResult<T>,
    transferOf: (result) => transfer((result as JobResult<T>).value)
  })
}

/**
 * Work in a worker thread of its own: it cannot block the thread that asked (the analysis worker
 * keeps answering), and the memory it took goes back when the worker ends. A job worker runs
 * one job at a time; it ends after a job when `endAfter` says so (always, by default), or after
 * `idleMs` without work. The worker module calls `serveJobs`.
 */
import { getHeapStatistics } from 'node:v8'
import { parentPort, Worker } from 'node:worker_threads'
import { ApiError, ErrorCode } from '../../../src-shared/errors'
import { typeScriptWorkerCode } from '../train/tsxLoader'

type JobReply<T> = { id: number; heapMb: number } & ({ ok: true; value: T } | { ok: false; error: { code: string; message: string } })

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

export function jobWorker<D, T>(entry: URL, options: JobWorkerOptions): JobWorker<D, T> {
  const code = typeScriptWorkerCode(entry)
  let worker: Worker | null = null
  let idle: NodeJS.Timeout | null = null
  let tail: Promise<unknown> = Promise.resolve()
  let nextId = 1

  const end = (w: Worker): void => {
    if (worker === w) worker = null
    void w.terminate()
  }

  interface Job {
    stopped: ApiError | null
    worker: Worker | null
  }

  function runNow(data: D, job: Job): Promise<T> {
    if (job.stopped) return Promise.reject(job.stopped)
    if (idle) clearTimeout(idle)
    const w = worker ?? (worker = new Worker(code, { eval: true, resourceLimits: options.maxHeapMb ? { maxOldGenerationSizeMb: options.maxHeapMb } : undefined }))
    job.worker = w
    // Holds the process open while the job runs (a CLI awaiting it), not while the worker waits.
    w.ref()
    const id = nextId++
    return new Promise<T>((resolve, reject) => {
      const onMessage = (reply: JobReply<T>): void => {
        if (reply.id !== id) return
        cleanup()
        if (options.endAfter?.(reply.heapMb) ?? true) end(w)
        else {
          w.unref()
          idle = setTimeout(() => end(w), options.idleMs ?? 30_000)
          idle.unref()
        }
        if (reply.ok) resolve(reply.value)
        else reject(new ApiError(ErrorCode.catch('internal').parse(reply.error.code), reply.error.message))
      }
      const onError = (err: Error & { code?: string }): void => {
        cleanup()
        end(w)
        reject(
          err.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new ApiError('bad_input', `${options.what} needed more than ${options.maxHeapMb} MiB of memory and was stopped; ask for a smaller size or a lower DPI`)
            : err
        )
      }
      const onExit = (exitCode: number): void => {
        cleanup()
        if (worker === w) worker = null
        reject(job.stopped ?? new Error(`${options.what} stopped (exit code ${exitCode}) before it replied`))
      }
      const cleanup = (): void => {
        w.off('message', onMessage)
        w.off('error', onError)
        w.off('exit', onExit)
      }
      w.on('message', onMessage)
      w.on('error', onError)
      w.on('exit', onExit)
      w.postMessage({ id, data })
    })
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
      if (worker) end(worker)
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

/** The worker's JavaScript heap and the array buffers it holds, in MiB. */
function heapMb(): number {
  const heap = getHeapStatistics()
  return (heap.used_heap_size + heap.external_memory) / (1024 * 1024)
}

/**
 * The worker side: answers each job with `work(data)`; `transfer` names buffers to move, not
 * copy. `data` is what the caller gave to run(), as structured clone delivers it.
 */
export function serveJobs<D, T>(work: (data: D) => Promise<T>, transfer: (value: T) => ArrayBuffer[] = () => []): void {
  const port = parentPort
  if (!port) throw new Error('this module runs only as a worker thread')
  port.on('message', ({ id, data }: { id: number; data: D }) => {
    work(data).then(
      (value) => port.postMessage({ id, ok: true, value, heapMb: heapMb() } satisfies JobReply<T>, transfer(value)),
      (err: unknown) =>
        port.postMessage({ id, ok: false, error: { code: err instanceof ApiError ? err.code : 'internal', message: err instanceof Error ? err.message : String(err) }, heapMb: heapMb() } satisfies JobReply<T>)
    )
  })
}

import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import { dirname, join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm'

const require = createRequire(import.meta.url)

/** The Emscripten module object of tfjs-backend-wasm as BackendWasm takes it, with the Emscripten parts we touch. */
type ThreadedModule = ConstructorParameters<typeof BackendWasm>[0] & {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number
  PThread?: { runningWorkers: Array<{ unref(): void }> }
}

/** The factory resolves to the module before its `tfjs` bridge is set (done below, as tfjs's init() does). */
type ModuleFactory = (config: Record<string, unknown>) => Promise<ThreadedModule>

export interface ThreadedWasm {
  module: ThreadedModule
  threads: number
}

/**
 * tfjs-backend-wasm ships a threaded SIMD build whose Emscripten loader supports Node's
 * worker_threads, but tfjs never picks it in Node (WASM_HAS_MULTITHREAD_SUPPORT is false there,
 * tfjs issue #3830) and its loader hands the pthread workers Blob URLs, which Node cannot run.
 * The worker script tfjs embeds is written to a file instead; its literal "\n" escapes were
 * turned into newlines by the template string it is stored in, and tfjs escapes them back
 * before making its Blob, so this does the same.
 */
function workerScript(outDir: string): string {
  const { wasmWorkerContents } = require(join(outDir, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string }
  const text = wasmWorkerContents.replace(/\n/g, '\\n')
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 16)
  const dir = join(os.tmpdir(), 'featurelens-wasm')
  const file = join(dir, `pthread-worker-${digest}.cjs`)
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
    mkdirSync(dir, { recursive: true })
    // Written under a unique name and renamed, so concurrent processes never read half a file.
    const partial = `${file}.${process.pid}.tmp`
    writeFileSync(partial, text)
    renameSync(partial, file)
  }
  return file
}

/**
 * The native code sizes XNNPACK's thread pool once, at start-up, from
 * emscripten_num_logical_cores() / 2 (it assumes two hyperthreads per core) and caps every
 * request to that. Emscripten answers from os.cpus() in Node, so on a 2-core machine without
 * hyperthreads the cap would be one thread. For the duration of the module's start-up only,
 * os.cpus() reports twice the cores, so that the cap becomes the real core count.
 */
async function withCoreCountForStartup<T>(body: () => Promise<T>): Promise<T> {
  const real = os.cpus
  const patched = () => {
    const cpus = real()
    return [...cpus, ...cpus]
  }
  ;(os as { cpus: typeof os.cpus }).cpus = patched
  try {
    return await body()
  } finally {
    os.cpus = real
  }
}

/** The environment variable that asks for wasm's own thread pool. */
export const wasmThreadsEnvVar = 'FEATURELENS_WASM_THREADS'

/**
 * Threads for the wasm backend: FEATURELENS_WASM_THREADS, else 1. One is the default because
 * on cores shared with other work a thread pool that waits for its slowest thread at every
 * kernel ran training 2–3× slower than one thread did (bench/README.md).
 */
export function wantedThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[wasmThreadsEnvVar]?.trim()
  const requested = raw ? Number(raw) : NaN
  return Number.isInteger(requested) && requested >= 1 ? Math.min(requested, 8) : 1
}

/**
 * Instantiates the threaded SIMD build of tfjs-backend-wasm with a pool of `threads` threads
 * (XNNPACK parallelises convolutions and matrix products across them). Throws if this runtime
 * cannot run it; the caller falls back to the single-threaded build.
 */
export async function instantiateThreadedWasm(threads: number): Promise<ThreadedWasm> {
  if (typeof SharedArrayBuffer === 'undefined') throw new Error('this runtime has no SharedArrayBuffer')
  const distDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))
  const outDir = join(distDir, '..', 'wasm-out')
  const factoryPath = join(outDir, 'tfjs-backend-wasm-threaded-simd.js')
  const binaryPath = join(distDir, 'tfjs-backend-wasm-threaded-simd.wasm')
  if (!existsSync(factoryPath) || !existsSync(binaryPath)) throw new Error(`the threaded wasm build is missing from ${outDir}`)
  const worker = workerScript(outDir)
  const factory = require(factoryPath) as ModuleFactory
  const module = await withCoreCountForStartup(() =>
    factory({
      locateFile: (path: string) => (path.endsWith('.worker.js') ? worker : path.endsWith('.wasm') ? binaryPath : join(outDir, path)),
      // Each pthread worker evaluates this script to get the module factory.
      mainScriptUrlOrBlob: factoryPath
    })
  )
  // The same bridge tfjs-backend-wasm's own init() sets up.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, [])
  }
  return { module, threads }
}

/**
 * Replaces tfjs's registration of the 'wasm' backend with one built on the threaded module,
 * before the backend is first initialised. Kernel registrations are per backend name, so
 * wasm's kernels and ours apply unchanged.
 */
export function registerThreadedWasmBackend(wasm: ThreadedWasm, priority = 2): void {
  tf.removeBackend('wasm')
  tf.registerBackend(
    'wasm',
    () => {
      setThreadsCount(wasm.threads)
      const backend = new BackendWasm(wasm.module)
      // pthreadpool's threads stay alive waiting for work; unreferenced, they do not keep a
      // process from exiting once its own work is done.
      for (const w of wasm.module.PThread?.runningWorkers ?? []) w.unref()
      return backend
    },
    priority
  )
}

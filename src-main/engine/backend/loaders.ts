import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, sep } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import { backendPackages, type BackendName } from '../../../src-shared/backend'
import { nativeKernels } from './nativeKernels'
import { nativeKernelNames, registerWasmKernels } from './registerWasmKernels'
import { instantiateThreadedWasm, registerThreadedWasmBackend, wantedThreads } from './wasmThreads'

export type Details = Record<string, string | number | boolean>
export type LoadResult = { ok: true; details: Details } | { ok: false; reason: string }

/** Loads a module by name. Tests pass their own to exercise load failures. */
export type ModuleImporter = (specifier: string) => Promise<unknown>

// A variable specifier keeps bundlers and the type checker from resolving packages that are
// optional and usually absent.
const defaultImporter: ModuleImporter = (specifier) => import(/* @vite-ignore */ specifier)

const require = createRequire(import.meta.url)

/** The tfjs backend that each of our backend names registers. */
export const tfjsBackendName: Record<BackendName, string> = {
  'tensorflow-gpu': 'tensorflow',
  webgpu: 'webgpu',
  tensorflow: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu'
}

export const installHints: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': `npm install ${backendPackages['tensorflow-gpu']}; it needs CUDA 11.2 and cuDNN 8.1`,
  tensorflow: `npm install ${backendPackages.tensorflow}`
}

export function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : typeof err === 'object' && err && 'message' in err ? String(err.message) : String(err)
  return message.split('\n').map((line) => line.trim()).find((line) => line.length > 0) ?? 'unknown error'
}

export function isInstalled(pkg: string): boolean {
  try {
    require.resolve(`${pkg}/package.json`)
    return true
  } catch {
    return false
  }
}

function isMissingPackage(err: unknown, pkg: string): boolean {
  const code = (err as { code?: unknown } | null)?.code
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false
  const message = firstLine(err)
  return message.includes(`'${pkg}'`) || message.includes(`"${pkg}"`)
}

/**
 * Switches tfjs to `name` and says why it failed if it did. tfjs reports a failed backend
 * initialisation only through console.warn, so its warnings are captured for the reason.
 */
export async function switchTo(name: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  const warnings: unknown[][] = []
  const original = console.warn
  console.warn = (...args: unknown[]) => {
    warnings.push(args)
  }
  let ok = false
  let thrown: unknown = null
  try {
    ok = await tf.setBackend(name)
  } catch (err) {
    thrown = err
  } finally {
    console.warn = original
  }
  if (thrown !== null) return { ok: false, reason: `failed to initialise: ${firstLine(thrown)}` }
  if (ok) {
    // Not ours to swallow: anything else that warned meanwhile still gets its say.
    for (const args of warnings) original(...args)
    return { ok: true }
  }
  const texts = warnings.map((args) => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '))
  const cause = texts.find((w) => !w.startsWith('Initialization of backend'))
  return { ok: false, reason: `failed to initialise: ${cause ? firstLine(cause) : 'tfjs gave no reason'}` }
}

/**
 * Imports @tensorflow/tfjs-node(-gpu), which registers the native 'tensorflow' backend.
 * The package is optional: absent, it is reported as not installed with how to install it;
 * present but broken (no CUDA, no libtensorflow), the loader's first line is the reason.
 */
export async function loadNodeBackend(
  name: 'tensorflow-gpu' | 'tensorflow',
  importModule: ModuleImporter = defaultImporter
): Promise<LoadResult> {
  const pkg = backendPackages[name]
  try {
    await importModule(pkg)
  } catch (err) {
    if (isMissingPackage(err, pkg)) return { ok: false, reason: `not installed (${installHints[name]})` }
    const line = firstLine(err)
    if (/tfjs_binding\.node/.test(line)) {
      // Our package.json keeps install scripts of these packages off, so the binding that
      // their install step downloads is missing until the user builds it.
      return { ok: false, reason: `${line} (its native binding is missing; run npm rebuild ${pkg} on a machine that can download libtensorflow)` }
    }
    return { ok: false, reason: line }
  }
  if (!tf.findBackendFactory('tensorflow')) {
    return { ok: false, reason: `${pkg} loaded but did not register the 'tensorflow' backend` }
  }
  const switched = await switchTo('tensorflow')
  if (!switched.ok) return switched
  const details: Details = { package: pkg }
  const backend = tf.backend()
  const binding = 'binding' in backend ? backend.binding : undefined
  if (typeof binding === 'object' && binding !== null && 'TF_Version' in binding && typeof binding.TF_Version === 'string') details.libtensorflow = binding.TF_Version
  return { ok: true, details }
}

/** The directory holding tfjs-backend-wasm's .wasm binaries. */
export function wasmDirectory(): string {
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))
}

let wasmPathsSet = false

/**
 * Initialises the wasm backend (XNNPACK) from the .wasm files in node_modules and registers
 * our training kernels. Node cannot fetch file paths, but Emscripten's Node loader reads the
 * path setWasmPaths gives with fs, so a directory prefix is all it needs.
 */
export async function loadWasmBackend(): Promise<LoadResult> {
  if (typeof (globalThis as { WebAssembly?: unknown }).WebAssembly !== 'object') return { ok: false, reason: 'this JavaScript runtime has no WebAssembly' }
  let dir: string
  try {
    dir = wasmDirectory()
  } catch {
    return { ok: false, reason: `not installed (npm install ${backendPackages.wasm})` }
  }
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))
  let threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'))
  // tfjs-backend-wasm never selects its threaded binary in Node; we start it ourselves so that
  // training uses every core, and keep the single-threaded build if that fails.
  let threadsProblem: string | null = null
  const wanted = wantedThreads()
  if (simd && !threads && process.versions?.node && wanted > 1 && !tf.findBackend('wasm')) {
    try {
      registerThreadedWasmBackend(await instantiateThreadedWasm(wanted))
      threads = true
    } catch (err) {
      threadsProblem = firstLine(err)
    }
  }
  const binary = simd && threads ? 'tfjs-backend-wasm-threaded-simd.wasm' : simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm'
  const binaryPath = join(dir, binary)
  if (!existsSync(binaryPath)) return { ok: false, reason: `the wasm binary ${binaryPath} is missing; reinstall ${backendPackages.wasm}` }
  if (!wasmPathsSet) {
    try {
      setWasmPaths(dir + sep)
      wasmPathsSet = true
    } catch (err) {
      return { ok: false, reason: `failed to initialise: ${firstLine(err)}` }
    }
  }
  const customKernels = registerWasmKernels()
  const switched = await switchTo('wasm')
  if (!switched.ok) return switched
  return {
    ok: true,
    details: {
      simd,
      threads,
      threadsCount: getThreadsCount(),
      binary: binaryPath,
      customKernels: customKernels.join(', '),
      nativeKernels: nativeKernels().reason ?? nativeKernelNames().join(', '),
      ...(threadsProblem ? { threadsProblem } : {})
    }
  }
}

export async function loadCpuBackend(): Promise<LoadResult> {
  const switched = await switchTo('cpu')
  return switched.ok ? { ok: true, details: {} } : switched
}

import * as tf from '@tensorflow/tfjs'
import { BackendName, BackendReport, backendNames, backendPackages, type BackendCandidate } from '../../../src-shared/backend'
import { ApiError } from '../../../src-shared/errors'
import {
  installHints,
  isInstalled,
  loadCpuBackend,
  loadNodeBackend,
  loadWasmBackend,
  switchTo,
  tfjsBackendName,
  type Details,
  type LoadResult,
  type ModuleImporter
} from './loaders'
import { loadWebGpuBackend } from './webgpu'
import { dawnModulePath, probeWebGpu, webGpuInstallHint, type WebGpuProbe } from './webgpuProbe'

/** The environment variable that picks a backend when the caller does not. */
export const backendEnvVar = 'FEATURELENS_BACKEND'

export interface InitBackendOptions {
  /** Select again even if this process already selected a backend (e.g. the user changed it). */
  force?: boolean
  /** Loads optional packages; tests replace it to simulate broken installs. */
  importModule?: ModuleImporter
}

type NodeBackend = 'tensorflow-gpu' | 'tensorflow'
const isNodeBackend = (name: BackendName): name is NodeBackend => name === 'tensorflow-gpu' || name === 'tensorflow'

/** Each backend is loaded at most once per process; a failed optional import may be retried. */
const attempts = new Map<BackendName, Promise<LoadResult>>()
/** What Dawn found, asked once per process (again after a forced reselection if it found nothing). */
let webGpuProbe: Promise<WebGpuProbe> | null = null
let webGpuProbed: WebGpuProbe | null = null

function probeOnce(): Promise<WebGpuProbe> {
  webGpuProbe ??= probeWebGpu().then((probe) => (webGpuProbed = probe))
  return webGpuProbe
}

/**
 * WebGPU is used by itself only on a real GPU; a software device (SwiftShader) only when asked
 * for by name, since it runs on the CPU and is slower there than wasm.
 */
async function attemptWebGpu(requested: boolean): Promise<LoadResult> {
  const probe = await probeOnce()
  if (!probe.ok && !(requested && probe.adapter)) return { ok: false, reason: probe.reason }
  let pending = attempts.get('webgpu')
  if (!pending) {
    pending = loadWebGpuBackend(probe)
    attempts.set('webgpu', pending)
  }
  return pending
}
let current: { key: string; report: Promise<BackendReport> } | null = null
let queue: Promise<unknown> = Promise.resolve()

interface Request {
  name: BackendName | null
  /** Set when the request could not be honoured as given, e.g. an unknown name. */
  problem: string | null
  key: string
}

function readRequest(requested: string | null | undefined): Request {
  const fromEnv = requested === undefined || requested === null
  const raw = (fromEnv ? process.env[backendEnvVar] : requested)?.trim() ?? ''
  if (raw === '') return { name: null, problem: null, key: '' }
  const parsed = BackendName.safeParse(raw)
  if (parsed.success) return { name: parsed.data, problem: null, key: parsed.data }
  const origin = fromEnv ? `${backendEnvVar}="${raw}"` : `requested backend "${raw}"`
  return { name: null, problem: `${origin} is not a backend; use one of ${backendNames.join(', ')}`, key: raw }
}

function attempt(name: BackendName, importModule: ModuleImporter | undefined, loaded: Set<NodeBackend>, requested = false): Promise<LoadResult> {
  if (name === 'webgpu') return attemptWebGpu(requested)
  if (isNodeBackend(name)) {
    // Both packages register a backend called 'tensorflow' and each loads its own
    // libtensorflow, so only one of them can live in a process.
    const other: NodeBackend = name === 'tensorflow' ? 'tensorflow-gpu' : 'tensorflow'
    if (loaded.has(other)) {
      return Promise.resolve({
        ok: false,
        reason: `cannot load next to ${backendPackages[other]}, which this process already loaded (both provide the 'tensorflow' backend); restart to switch`
      })
    }
  }
  let pending = attempts.get(name)
  if (!pending) {
    pending = name === 'wasm' ? loadWasmBackend() : name === 'cpu' ? loadCpuBackend() : loadNodeBackend(name, importModule)
    attempts.set(name, pending)
  }
  return pending
}

async function loadedNodeBackends(): Promise<Set<NodeBackend>> {
  const loaded = new Set<NodeBackend>()
  for (const name of ['tensorflow-gpu', 'tensorflow'] as const) {
    const result = await attempts.get(name)
    if (result?.ok) loaded.add(name)
  }
  return loaded
}

async function select(request: Request, importModule: ModuleImporter | undefined, retryFailed: boolean): Promise<BackendReport> {
  if (retryFailed) {
    // The user may have installed a package since the last try.
    for (const name of ['tensorflow-gpu', 'tensorflow'] as const) {
      const previous = await attempts.get(name)
      if (previous && !previous.ok) attempts.delete(name)
    }
    if (webGpuProbed && !webGpuProbed.ok && !attempts.has('webgpu')) {
      webGpuProbe = null
      webGpuProbed = null
    }
  }
  const order: BackendName[] = request.name ? [request.name, ...backendNames.filter((n) => n !== request.name)] : [...backendNames]
  const results = new Map<BackendName, LoadResult>()
  let chosen: BackendName | null = null
  for (const name of order) {
    const result = await attempt(name, importModule, await loadedNodeBackends(), name === request.name)
    results.set(name, result)
    if (result.ok) {
      chosen = name
      break
    }
  }
  if (!chosen) {
    const reasons = order.map((n) => {
      const r = results.get(n)
      return `${n}: ${r && !r.ok ? r.reason : 'not tried'}`
    })
    throw new ApiError('unavailable', `no compute backend could be loaded (${reasons.join('; ')})`)
  }

  const why = request.name === chosen ? `${chosen} was requested` : `${chosen} comes first`
  const candidates: BackendCandidate[] = []
  for (const name of backendNames) {
    let result = results.get(name)
    if (!result && !isNodeBackend(name) && name !== 'webgpu') {
      // wasm and cpu live in this process and load in milliseconds, so the report can say
      // whether they would work; probing switches backends, so the chosen one is set last.
      result = await attempt(name, importModule, await loadedNodeBackends())
    }
    candidates.push(describe(name, chosen, result, why))
  }
  const final = await switchTo(tfjsBackendName[chosen])
  if (!final.ok) throw new ApiError('unavailable', `the ${chosen} backend loaded but could not be switched to again: ${final.reason}`)

  const chosenResult = results.get(chosen) as { ok: true; details: Details }
  const details: Details = { ...chosenResult.details, tfjs: tf.version_core }
  const problems: string[] = []
  if (request.problem) problems.push(request.problem)
  if (request.name && request.name !== chosen) {
    const failed = results.get(request.name)
    problems.push(`${request.name} was requested but ${failed && !failed.ok ? failed.reason : 'did not load'}`)
  }
  if (problems.length > 0) details.fallback = `${problems.join('; ')}; using ${chosen}`
  return BackendReport.parse({ chosen, requested: request.name, candidates, details })
}

function describe(name: BackendName, chosen: BackendName, result: LoadResult | undefined, why: string): BackendCandidate {
  const adapter = name === 'webgpu' ? webGpuProbed?.adapter : undefined
  const base = { name, package: backendPackages[name], ...(adapter ? { adapter } : {}) }
  if (name === chosen) return { ...base, available: true, reason: '' }
  if (name === 'webgpu' && !result) {
    // Asking Dawn starts a process and a GPU driver, so it is skipped when not needed.
    if (webGpuProbed && !webGpuProbed.ok) return { ...base, available: false, reason: webGpuProbed.reason }
    const reason = dawnModulePath() ? `not tried, because ${why}` : `not installed (${webGpuInstallHint})`
    return { ...base, available: false, reason }
  }
  if (result) return result.ok ? { ...base, available: true, reason: `available; not used because ${why}` } : { ...base, available: false, reason: result.reason }
  // A native package that was not needed is not imported: that would load a second copy of
  // libtensorflow (and initialise CUDA) for nothing.
  const hint = installHints[name as NodeBackend]
  const reason = isInstalled(backendPackages[name]) ? `installed but not loaded, because ${why}` : `not installed (${hint})`
  return { ...base, available: false, reason }
}

/**
 * Picks the compute backend for this process and makes it tfjs's active backend.
 *
 * Call it (and await it) before creating any tensors, e.g. at the start of a training job.
 * The request is the argument, else the FEATURELENS_BACKEND environment variable, else none.
 * A requested backend is used if it loads; otherwise the first of tensorflow-gpu, webgpu (on a
 * real GPU), tensorflow, wasm, cpu that loads is used and the report says why the request was
 * not honoured. The wasm backend comes with our training kernels registered.
 *
 * Repeated calls return the same report unless `force` is set or a different backend is
 * requested explicitly; each backend is loaded at most once per process.
 */
export function initBackend(requested?: string | null, options: InitBackendOptions = {}): Promise<BackendReport> {
  const request = readRequest(requested)
  const explicit = requested !== undefined && requested !== null
  if (current && !options.force && (!explicit || current.key === request.key)) return current.report
  const report = queue.then(() => select(request, options.importModule, options.force === true))
  queue = report.catch(() => undefined)
  const entry = { key: request.key, report }
  current = entry
  report.catch(() => {
    if (current === entry) current = null
  })
  return report
}

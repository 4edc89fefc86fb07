import * as tf from '@tensorflow/tfjs'
import { adapterLabel, type GpuAdapter } from '../../../src-shared/backend'
import { firstLine, switchTo, type LoadResult } from './loaders'
import { watchDeviceErrors, type WatchedBackend } from './webgpuErrors'
import { dawnModulePath, softwareName, webGpuInstallHint, type WebGpuProbe } from './webgpuProbe'

interface DawnModule {
  create(flags: string[]): unknown
  globals: Record<string, unknown>
}

/** The parts of tfjs-backend-webgpu's backend that we read. */
interface WebGpuBackendLike extends WatchedBackend {
  device: WatchedBackend['device'] & { limits: { maxBufferSize: number; maxStorageBufferBindingSize: number } }
}

function isWebGpuBackend(backend: tf.KernelBackend): backend is tf.KernelBackend & WebGpuBackendLike {
  return 'device' in backend && typeof backend.device === 'object' && backend.device !== null && 'limits' in backend.device
}

/** The adapter the webgpu backend runs on in this process, once it is loaded. */
let loadedAdapter: GpuAdapter | null = null

export function webGpuAdapter(): GpuAdapter | null {
  return loadedAdapter
}

/** Makes Dawn's WebGPU the `navigator.gpu` that tfjs-backend-webgpu looks for (Node has none). */
function installNavigatorGpu(dawn: DawnModule): () => void {
  const scope = globalThis as Record<string, unknown>
  for (const [name, value] of Object.entries(dawn.globals)) if (!(name in scope)) scope[name] = value
  const gpu = dawn.create([])
  const existing = scope.navigator as Record<string, unknown> | undefined
  if (existing) {
    // Node 21+ and Electron have a navigator without gpu.
    Object.defineProperty(existing, 'gpu', { value: gpu, configurable: true, writable: true })
    return () => void delete existing.gpu
  }
  // It stays for the life of the process: Dawn crashes if its instance is collected while
  // tfjs still uses the device.
  Object.defineProperty(scope, 'navigator', { value: { gpu }, configurable: true, writable: true })
  return () => void delete scope.navigator
}

/**
 * Loads tfjs's WebGPU backend on Dawn's best adapter (found by the probe). The native kernels
 * and gradient workers stay on wasm/cpu; here tfjs's own WGSL kernels do the work.
 */
export async function loadWebGpuBackend(probe: WebGpuProbe): Promise<LoadResult> {
  if (!probe.adapter) return probe.ok ? { ok: false, reason: 'no adapter' } : { ok: false, reason: probe.reason }
  const modulePath = dawnModulePath()
  if (!modulePath) return { ok: false, reason: `not installed (${webGpuInstallHint})` }
  let release: (() => void) | null = null
  try {
    const dawn = (await import(/* @vite-ignore */ 'webgpu')) as DawnModule
    release = installNavigatorGpu(dawn)
    await import(/* @vite-ignore */ '@tensorflow/tfjs-backend-webgpu')
  } catch (err) {
    release?.()
    const missing = /Cannot find (package|module) '(webgpu|@tensorflow\/tfjs-backend-webgpu)'/.test(firstLine(err))
    return { ok: false, reason: missing ? `not installed (${webGpuInstallHint})` : `failed to load Dawn: ${firstLine(err)}` }
  }
  const switched = await switchTo('webgpu')
  if (!switched.ok) {
    release()
    return switched
  }
  const backend = tf.backend()
  if (!isWebGpuBackend(backend)) {
    release()
    return { ok: false, reason: 'tfjs-backend-webgpu loaded without a GPU device' }
  }
  watchDeviceErrors(backend)
  const limits = backend.device.limits
  loadedAdapter = { ...probe.adapter, maxBufferSize: Number(limits.maxBufferSize), maxStorageBufferBindingSize: Number(limits.maxStorageBufferBindingSize) }
  return {
    ok: true,
    details: {
      adapter: adapterLabel(loadedAdapter),
      vendor: loadedAdapter.vendor,
      architecture: loadedAdapter.architecture,
      description: loadedAdapter.description,
      software: loadedAdapter.software,
      maxBufferSize: loadedAdapter.maxBufferSize,
      maxStorageBufferBindingSize: loadedAdapter.maxStorageBufferBindingSize,
      ...(loadedAdapter.software ? { warning: `${softwareName(loadedAdapter)} is a software device that runs on the CPU: right for testing, slower than wasm for real work` } : {})
    }
  }
}

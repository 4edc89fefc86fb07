import * as tf from '@tensorflow/tfjs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { BackendReport, backendNames, type BackendName } from '../../../../src-shared/backend'
import { tfjsBackendName } from '../../../../src-main/engine/backend/loaders'
import { backendEnvVar, initBackend } from '../../../../src-main/engine/backend/select'

const gpuNotInstalled = 'not installed (npm install @tensorflow/tfjs-node-gpu; it needs CUDA 11.2 and cuDNN 8.1)'
const nodeNotInstalled = 'not installed (npm install @tensorflow/tfjs-node)'

const candidate = (report: BackendReport, name: string) => report.candidates.find((c) => c.name === name)!

/** An importer standing in for an installed tfjs-node-gpu whose native library fails to load. */
function brokenGpuImporter(error: Error & { code?: string }) {
  return async (specifier: string) => {
    if (specifier === '@tensorflow/tfjs-node-gpu') throw error
    return import(specifier)
  }
}

afterEach(() => {
  delete process.env[backendEnvVar]
})

/** What this machine picks by itself: wasm here; webgpu or a native backend on a GPU machine. */
let automatic: BackendName
beforeAll(async () => {
  automatic = (await initBackend()).chosen
})

/** The reasons webgpu may give for not being used, all in words a user can act on. */
const webgpuSkipped = /^(not installed \(npm install webgpu @tensorflow\/tfjs-backend-webgpu\)|no Vulkan driver found \(install your GPU's Vulkan driver\)|no GPU that Dawn can use behind the Vulkan drivers found|only a software (Vulkan )?device \(.+\) was found|not tried, because|no Metal GPU found|no Direct3D 12 GPU found|no WebGPU adapter found|Dawn failed while looking for a GPU|looking for a GPU with Dawn did not finish)/

describe('initBackend', () => {
  it('chooses the first backend that loads here and says why the ones before it were not used', async () => {
    const report = await initBackend()
    expect(BackendReport.safeParse(report).success).toBe(true)
    expect(report.chosen).toBe(automatic)
    expect(report.requested).toBeNull()
    expect(tf.getBackend()).toBe(tfjsBackendName[automatic])
    expect(report.candidates.map((c) => c.name)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'])
    const at = backendNames.indexOf(automatic)
    for (const c of report.candidates.slice(0, at)) expect(c).toMatchObject({ available: false, reason: expect.stringMatching(/\S/) })
    if (automatic !== 'webgpu') {
      const webgpu = candidate(report, 'webgpu')
      expect(webgpu.reason).toMatch(webgpuSkipped)
      // A software device is named and never chosen by itself.
      if (webgpu.adapter?.software) expect(webgpu.reason).toMatch(/^only a software (Vulkan )?device/)
    }
    if (automatic !== 'wasm') return
    // This machine (no GPU): the native packages are absent, wasm is used, cpu would work.
    expect(candidate(report, 'tensorflow-gpu')).toEqual({ name: 'tensorflow-gpu', package: '@tensorflow/tfjs-node-gpu', available: false, reason: gpuNotInstalled })
    expect(candidate(report, 'tensorflow')).toEqual({ name: 'tensorflow', package: '@tensorflow/tfjs-node', available: false, reason: nodeNotInstalled })
    expect(candidate(report, 'wasm')).toMatchObject({ available: true, reason: '' })
    expect(candidate(report, 'cpu')).toMatchObject({ available: true, reason: 'available; not used because wasm comes first' })
    expect(typeof report.details.simd).toBe('boolean')
    // tfjs-backend-wasm never uses threads in Node (tfjs issue #3830).
    expect(report.details.threads).toBe(false)
    expect(report.details.threadsCount).toBe(1)
    expect(String(report.details.binary)).toMatch(/tfjs-backend-wasm(-simd)?\.wasm$/)
    expect(String(report.details.customKernels)).toContain('Conv2DBackpropFilter')
    expect(report.details.fallback).toBeUndefined()
  })

  it('returns the same report to later calls without a new request', async () => {
    const first = await initBackend()
    expect(await initBackend()).toBe(first)
    expect(await initBackend(null)).toBe(first)
  })

  it('uses a requested backend that loads', async () => {
    const report = await initBackend('cpu')
    expect(report.chosen).toBe('cpu')
    expect(report.requested).toBe('cpu')
    expect(tf.getBackend()).toBe('cpu')
    expect(candidate(report, 'wasm')).toMatchObject({ available: true, reason: 'available; not used because cpu was requested' })
    // Native packages are only imported when needed; here they are simply not installed.
    expect(candidate(report, 'tensorflow-gpu').reason).toBe(gpuNotInstalled)
    expect(report.details.fallback).toBeUndefined()
  })

  it('reads the request from FEATURELENS_BACKEND when the caller gives none', async () => {
    process.env[backendEnvVar] = 'cpu'
    const report = await initBackend(undefined, { force: true })
    expect(report.chosen).toBe('cpu')
    expect(report.requested).toBe('cpu')
  })

  it('falls back from an unavailable requested backend and records why', async () => {
    const report = await initBackend('tensorflow-gpu')
    expect(report.requested).toBe('tensorflow-gpu')
    expect(report.chosen).toBe(automatic)
    expect(tf.getBackend()).toBe(tfjsBackendName[automatic])
    expect(candidate(report, 'tensorflow-gpu')).toMatchObject({ available: false, reason: gpuNotInstalled })
    expect(report.details.fallback).toBe(`tensorflow-gpu was requested but ${gpuNotInstalled}; using ${automatic}`)
  })

  it('falls back from an unknown backend name and names the valid ones', async () => {
    const report = await initBackend('gpu')
    expect(report.requested).toBeNull()
    expect(report.chosen).toBe(automatic)
    expect(report.details.fallback).toBe(`requested backend "gpu" is not a backend; use one of tensorflow-gpu, webgpu, tensorflow, wasm, cpu; using ${automatic}`)

    process.env[backendEnvVar] = 'cuda'
    const fromEnv = await initBackend(undefined, { force: true })
    expect(fromEnv.chosen).toBe(automatic)
    expect(fromEnv.details.fallback).toBe(`FEATURELENS_BACKEND="cuda" is not a backend; use one of tensorflow-gpu, webgpu, tensorflow, wasm, cpu; using ${automatic}`)
  })

  it('reports the first line of the loader error when an installed native backend fails to load', async () => {
    const error = new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory\n    at Module._extensions..node')
    const report = await initBackend('tensorflow-gpu', { force: true, importModule: brokenGpuImporter(error) })
    expect(report.chosen).toBe(automatic)
    expect(candidate(report, 'tensorflow-gpu')).toMatchObject({
      available: false,
      reason: 'libcudart.so.11.0: cannot open shared object file: No such file or directory'
    })
    expect(report.details.fallback).toBe(`tensorflow-gpu was requested but libcudart.so.11.0: cannot open shared object file: No such file or directory; using ${automatic}`)
  })

  it('does not mistake a missing dependency of an installed package for the package being absent', async () => {
    const error = Object.assign(new Error("Cannot find package '@mapbox/node-pre-gyp' imported from /x/node_modules/@tensorflow/tfjs-node-gpu/dist/index.js"), {
      code: 'ERR_MODULE_NOT_FOUND'
    })
    const report = await initBackend('tensorflow-gpu', { force: true, importModule: brokenGpuImporter(error) })
    expect(candidate(report, 'tensorflow-gpu').reason).toBe(
      "Cannot find package '@mapbox/node-pre-gyp' imported from /x/node_modules/@tensorflow/tfjs-node-gpu/dist/index.js"
    )
  })

  it('explains a missing native binding, which our install settings leave undownloaded', async () => {
    const error = Object.assign(new Error("Cannot find module '/x/node_modules/@tensorflow/tfjs-node-gpu/lib/napi-v8/tfjs_binding.node'"), { code: 'MODULE_NOT_FOUND' })
    const report = await initBackend('tensorflow-gpu', { force: true, importModule: brokenGpuImporter(error) })
    expect(candidate(report, 'tensorflow-gpu').reason).toMatch(/tfjs_binding\.node' \(its native binding is missing; run npm rebuild @tensorflow\/tfjs-node-gpu/)
  })

  it('rejects a package that loads without registering the tensorflow backend', async () => {
    const report = await initBackend('tensorflow-gpu', {
      force: true,
      importModule: async (specifier) => (specifier === '@tensorflow/tfjs-node-gpu' ? {} : import(specifier))
    })
    expect(candidate(report, 'tensorflow-gpu').reason).toBe("@tensorflow/tfjs-node-gpu loaded but did not register the 'tensorflow' backend")
    expect(report.chosen).toBe(automatic)
  })
})

import * as tf from '@tensorflow/tfjs'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { probeWebGpu } from '../../src-main/engine/backend/webgpuProbe'
import type { GpuAdapter } from '../../src-shared/backend'

/** Where Debian's chromium package keeps SwiftShader's Vulkan driver, found with dpkg as CI installs it. */
function swiftShaderIcd(): string | null {
  try {
    const line = execFileSync('dpkg', ['-S', 'vk_swiftshader_icd.json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    const path = line.split('\n').map((l) => l.split(': ')[1]?.trim()).find((p) => p && existsSync(p))
    if (path) return path
  } catch {
    // Not Debian, or chromium is not installed.
  }
  const usual = '/usr/lib/chromium/vk_swiftshader_icd.json'
  return existsSync(usual) ? usual : null
}

export type SwiftShader = { ok: true; adapter: GpuAdapter } | { ok: false; reason: string }

let found: Promise<SwiftShader> | null = null

/**
 * Points Dawn at SwiftShader, the software Vulkan driver that ships with chromium, so the
 * webgpu path runs on any Linux machine. Call it before anything loads Dawn. Resolves with the
 * adapter, or with why there is none (then the tests skip and print it).
 */
export function useSwiftShader(): Promise<SwiftShader> {
  found ??= (async (): Promise<SwiftShader> => {
    if (process.platform !== 'linux') return { ok: false, reason: `SwiftShader tests run on Linux only (this is ${process.platform})` }
    const icd = swiftShaderIcd()
    if (!icd) return { ok: false, reason: 'SwiftShader was not found: install Debian\'s chromium package (dpkg -S vk_swiftshader_icd.json finds nothing)' }
    process.env.VK_ICD_FILENAMES = icd
    delete process.env.VK_DRIVER_FILES
    // Dawn's Vulkan loader warns without one.
    process.env.XDG_RUNTIME_DIR ||= mkdtempSync(join(tmpdir(), 'fl-xdg-'))
    const probe = await probeWebGpu()
    if (!probe.adapter) return { ok: false, reason: `no WebGPU adapter on SwiftShader (${icd}): ${probe.ok ? 'none' : probe.reason}` }
    return { ok: true, adapter: probe.adapter }
  })()
  return found
}

/** Prints why the webgpu tests of a file are skipped, once. */
export function explainSkip(file: string, swiftShader: SwiftShader): void {
  if (!swiftShader.ok) console.warn(`${file}: skipping the webgpu tests: ${swiftShader.reason}`)
}

interface EngineReads {
  readSync(dataId: object): unknown
  state: { tensorInfo: { get(dataId: object): { backend: unknown } | undefined } }
}

/**
 * Makes any synchronous read (dataSync, arraySync, bufferSync) of a webgpu tensor by product
 * code (src-main) fail the test, even for small tensors that tfjs keeps on the CPU and that a
 * real GPU would still have to wait for. Returns the undo.
 */
export function forbidSyncReadsOnWebGpu(): () => void {
  const engine = tf.engine() as unknown as EngineReads
  const original = engine.readSync.bind(engine)
  const webgpu = tf.findBackend('webgpu')
  if (!webgpu) throw new Error('load the webgpu backend before forbidding its synchronous reads')
  engine.readSync = (dataId: object) => {
    const stack = new Error().stack ?? ''
    if (engine.state.tensorInfo.get(dataId)?.backend === webgpu && /[\\/]src-main[\\/]/.test(stack)) {
      throw new Error(`a synchronous read of a webgpu tensor in the engine; use await tensor.data():\n${stack}`)
    }
    return original(dataId)
  }
  return () => {
    engine.readSync = original
  }
}

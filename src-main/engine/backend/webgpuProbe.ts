import { execFile } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { homedir } from 'node:os'
import { basename, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { GpuAdapter } from '../../../src-shared/backend'

/** What looking for a WebGPU adapter found: the adapter, or why there is none. */
export type WebGpuProbe =
  | { ok: true; adapter: GpuAdapter }
  | { ok: false; reason: string; adapter?: GpuAdapter }

/** The npm packages the webgpu backend needs: Dawn's Node binding and tfjs's WebGPU backend. */
export const webGpuInstallHint = 'npm install webgpu @tensorflow/tfjs-backend-webgpu'

const PROBE_TIMEOUT_MS = 30_000
const require = createRequire(import.meta.url)

/** Where Dawn's Node binding is, or null when the package is absent. */
export function dawnModulePath(): string | null {
  try {
    return require.resolve('webgpu')
  } catch {
    return null
  }
}

const softwareNames = /swiftshader|llvmpipe|lavapipe|software|basic render/i

/** Whether an adapter is a CPU rasteriser rather than a GPU. */
export function isSoftwareAdapter(info: { vendor: string; architecture: string; description: string; device: string; isFallbackAdapter?: boolean }): boolean {
  return info.isFallbackAdapter === true || softwareNames.test(`${info.vendor} ${info.architecture} ${info.description} ${info.device}`)
}

/** The name a person knows a software device by. */
export function softwareName(adapter: GpuAdapter): string {
  const text = `${adapter.architecture} ${adapter.description}`
  if (/swiftshader/i.test(text)) return 'SwiftShader'
  if (/llvmpipe|lavapipe/i.test(text)) return 'lavapipe'
  return adapter.description || adapter.architecture || 'a CPU device'
}

/**
 * The Vulkan driver manifests (ICD files) the Vulkan loader would read on Linux, by file name.
 * Empty means no Vulkan driver is installed (or VK_ICD_FILENAMES points at nothing).
 */
export function vulkanDrivers(env: NodeJS.ProcessEnv = process.env): string[] {
  const listed = (env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES ?? '').split(':').filter(Boolean)
  const dirs: string[] = []
  const files: string[] = []
  if (listed.length > 0) {
    for (const entry of listed) (entry.endsWith('.json') ? files : dirs).push(entry)
  } else {
    const config = (env.XDG_CONFIG_DIRS || '/etc/xdg').split(':')
    const data = (env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':')
    dirs.push(...config.map((d) => join(d, 'vulkan/icd.d')), '/etc/vulkan/icd.d', ...data.map((d) => join(d, 'vulkan/icd.d')), join(homedir(), '.local/share/vulkan/icd.d'))
  }
  const found = new Set(files.filter((f) => existsSync(f)).map((f) => basename(f)))
  for (const dir of dirs) {
    try {
      for (const name of readdirSync(dir)) if (name.endsWith('.json')) found.add(name)
    } catch {
      // A directory that does not exist holds no drivers.
    }
  }
  return [...found].sort()
}

// Runs in a child process, so that a driver that crashes or hangs cannot take this process with
// it, Dawn's warnings land in a string we can quote, and nothing of Dawn stays loaded here when
// no GPU is used.
const probeScript = `
const { create, globals } = await import(process.argv[1]);
const gpu = create([]);
const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
if (!adapter) { process.stdout.write(JSON.stringify({ adapter: null })); process.exit(0); }
const i = adapter.info ?? {};
const info = { vendor: i.vendor ?? '', architecture: i.architecture ?? '', description: i.description ?? '', device: i.device ?? '',
  isFallbackAdapter: i.isFallbackAdapter === true || adapter.isFallbackAdapter === true,
  maxBufferSize: Number(adapter.limits.maxBufferSize), maxStorageBufferBindingSize: Number(adapter.limits.maxStorageBufferBindingSize) };
process.stdout.write(JSON.stringify({ adapter: info }));
process.exit(0);
`

function firstMeaningfulLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0 && !l.startsWith('- ') && !l.startsWith('at ')) ?? ''
  ).replace(/^Warning:\s*/, '').replace(/\.$/, '')
}

function runProbe(modulePath: string): Promise<{ stdout: string; stderr: string; error: Error | null }> {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR || '/tmp' }
  if (process.versions.electron) env.ELECTRON_RUN_AS_NODE = '1'
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '--eval', probeScript, pathToFileURL(modulePath).href],
      { env, timeout: PROBE_TIMEOUT_MS, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => resolve({ stdout: String(stdout), stderr: String(stderr), error })
    )
  })
}

function noAdapterReason(dawnSaid: string): string {
  const said = dawnSaid ? `; Dawn said: ${dawnSaid}` : ''
  if (process.platform === 'linux') {
    const drivers = vulkanDrivers()
    if (drivers.length === 0) return `no Vulkan driver found (install your GPU's Vulkan driver)${said}`
    return `no GPU that Dawn can use behind the Vulkan drivers found (${drivers.join(', ')})${said}; install your GPU's Vulkan driver`
  }
  if (process.platform === 'darwin') return `no Metal GPU found${said}`
  if (process.platform === 'win32') return `no Direct3D 12 GPU found (update your GPU driver)${said}`
  return `no WebGPU adapter found on ${process.platform}${said}`
}

/**
 * Asks Dawn for its best adapter. A real GPU is ok; a software device is reported with the
 * adapter and the reason it is not used unless asked for; no adapter says why in plain words.
 */
export async function probeWebGpu(): Promise<WebGpuProbe> {
  const modulePath = dawnModulePath()
  if (!modulePath) return { ok: false, reason: `not installed (${webGpuInstallHint})` }
  const { stdout, stderr, error } = await runProbe(modulePath)
  const dawnSaid = firstMeaningfulLine(stderr)
  let parsed: { adapter: (Omit<GpuAdapter, 'software'> & { isFallbackAdapter: boolean }) | null } | null = null
  try {
    parsed = JSON.parse(stdout)
  } catch {
    parsed = null
  }
  if (!parsed) {
    const killed = error && (error as { killed?: boolean }).killed
    if (killed) return { ok: false, reason: `looking for a GPU with Dawn did not finish within ${PROBE_TIMEOUT_MS / 1000} s (a hung GPU driver?)` }
    return { ok: false, reason: `Dawn failed while looking for a GPU: ${dawnSaid || (error ? error.message.split('\n')[0] : 'no answer')}` }
  }
  if (!parsed.adapter) return { ok: false, reason: noAdapterReason(dawnSaid) }
  const { isFallbackAdapter, ...facts } = parsed.adapter
  const adapter = GpuAdapter.parse({ ...facts, software: isSoftwareAdapter({ ...facts, isFallbackAdapter }) })
  if (adapter.software) {
    const kind = process.platform === 'linux' ? 'software Vulkan device' : 'software device'
    return { ok: false, adapter, reason: `only a ${kind} (${softwareName(adapter)}) was found; it runs on the CPU, so it is used only when webgpu is chosen explicitly` }
  }
  return { ok: true, adapter }
}

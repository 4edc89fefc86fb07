import { z } from 'zod'

/** Compute backends in order of preference: the first that loads is used. */
export const backendNames = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const
export const BackendName = z.enum(backendNames)
export type BackendName = z.infer<typeof BackendName>

/** Which npm package provides each backend, for messages that tell the user what to install. */
export const backendPackages: Record<BackendName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu'
}

/** What Dawn says about a WebGPU adapter (a GPU, or a software device such as SwiftShader). */
export const GpuAdapter = z.object({
  vendor: z.string(),
  architecture: z.string(),
  description: z.string(),
  device: z.string(),
  /** A software rasteriser (SwiftShader, lavapipe, a CPU device): for testing, never chosen by itself. */
  software: z.boolean(),
  /** The adapter's limits that bound what fits, in bytes. */
  maxBufferSize: z.number(),
  maxStorageBufferBindingSize: z.number()
})
export type GpuAdapter = z.infer<typeof GpuAdapter>

/** One line naming an adapter, e.g. "nvidia ampere (NVIDIA GeForce RTX 3080)". */
export function adapterLabel(adapter: GpuAdapter): string {
  const name = [adapter.vendor, adapter.architecture].filter(Boolean).join(' ') || 'unknown adapter'
  const extra = adapter.description || adapter.device
  return extra ? `${name} (${extra})` : name
}

export const BackendCandidate = z.object({
  name: BackendName,
  package: z.string(),
  /** Whether this backend loaded and is usable. */
  available: z.boolean(),
  /** Why it was not used, in words a user can act on; empty for the chosen backend. */
  reason: z.string(),
  /** For webgpu: the adapter Dawn found, whether or not it was used. */
  adapter: GpuAdapter.optional()
})
export type BackendCandidate = z.infer<typeof BackendCandidate>

export const BackendReport = z.object({
  chosen: BackendName,
  /** Set when the user asked for a backend explicitly (flag, env or setting). */
  requested: BackendName.nullable(),
  candidates: z.array(BackendCandidate),
  /** Extra facts about the chosen backend, e.g. wasm SIMD/threads, number of threads. */
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
})
export type BackendReport = z.infer<typeof BackendReport>

/** What work runs on, in a few words: the backend, and for webgpu its adapter. */
export function computeLabel(report: BackendReport): string {
  const adapter = report.details.adapter
  return report.chosen === 'webgpu' && typeof adapter === 'string' ? `webgpu on ${adapter}` : report.chosen
}

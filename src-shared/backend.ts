import { z } from 'zod'

/** Compute backends in order of preference: the first that loads is used. */
export const backendNames = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const
export const BackendName = z.enum(backendNames)
export type BackendName = z.infer<typeof BackendName>

/** Which npm package provides each backend, for messages that tell the user what to install. */
export const backendPackages: Record<BackendName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu'
}

export const BackendCandidate = z.object({
  name: BackendName,
  package: z.string(),
  /** Whether this backend loaded and is usable. */
  available: z.boolean(),
  /** Why it was not used, in words a user can act on; empty for the chosen backend. */
  reason: z.string()
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

import { z } from 'zod'
import { EpochMetrics, RunProgress, RunStatus } from '../../../src-shared/run'

/** What a training job process tells whoever started it; checked by the supervisor as it arrives. */
export const JobMessage = z.discriminatedUnion('t', [
  z.object({ t: z.literal('progress'), progress: RunProgress }),
  z.object({ t: z.literal('epoch'), metrics: EpochMetrics, numTensors: z.number().int().nonnegative() }),
  z.object({ t: z.literal('status'), status: RunStatus, reason: z.string().nullable() })
])
export type JobMessage = z.infer<typeof JobMessage>

/** The events from a job to its supervisor, and back. */
export const fromJob = { job: JobMessage }
export const toJob = { cancel: z.object({}) }

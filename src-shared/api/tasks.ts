import { z } from 'zod'

/** A client-chosen id for one piece of long work, so it can follow progress and cancel it. */
export const TaskId = z.string().min(1).max(100)

/**
 * Progress of long work (descriptor extraction, occlusion, CKA across epochs, a dataset sample):
 * `done` of `total` units, the rate so far in units per second and the estimated seconds left.
 */
export const TaskProgress = z.object({
  taskId: TaskId,
  /** What kind of work this is, in words a person reads ("CKA across epochs"). */
  task: z.string(),
  runId: z.string().optional(),
  stage: z.string().optional(),
  done: z.number().nonnegative(),
  total: z.number().nonnegative(),
  /** Units per second so far; null until enough has been done to tell. */
  rate: z.number().nonnegative().nullable(),
  etaSeconds: z.number().nonnegative().nullable()
})
export type TaskProgress = z.infer<typeof TaskProgress>

export const taskMethods = {
  /** Stops long work started with this task id; the call that started it then fails with code "cancelled". */
  'task.cancel': { request: z.object({ taskId: TaskId }).strict(), response: z.object({ cancelled: z.boolean() }) }
} as const

export const taskEvents = {
  'task.progress': TaskProgress
} as const

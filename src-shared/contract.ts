import type { z } from 'zod'
import { appMethods } from './api/app'
import { compareMethods } from './api/compare'
import { datasetEvents, datasetMethods } from './api/datasets'
import { figureMethods } from './api/figures'
import { earlyExitMethods } from './api/earlyExit'
import { explainMethods } from './api/explain'
import { runEvents, runMethods } from './api/runs'
import { inspectMethods } from './api/inspect'
import { modelMethods } from './api/models'
import { taskEvents, taskMethods } from './api/tasks'

/**
 * The API contract: every request/response pair and every event, declared once with its
 * runtime schema. Both transports (Electron IPC and the local web host) validate against it,
 * and the renderer's client is typed from it.
 */
export const methods = {
  ...appMethods,
  ...compareMethods,
  ...datasetMethods,
  ...runMethods,
  ...inspectMethods,
  ...taskMethods,
  ...figureMethods,
  ...earlyExitMethods,
  ...explainMethods,
  ...modelMethods
} as const

export const events = {
  ...datasetEvents,
  ...runEvents,
  ...taskEvents
} as const

export type Methods = typeof methods
export type MethodName = keyof Methods
export type RequestOf<M extends MethodName> = z.input<Methods[M]['request']>
export type ParsedRequestOf<M extends MethodName> = z.output<Methods[M]['request']>
export type ResponseOf<M extends MethodName> = z.output<Methods[M]['response']>

export type Events = typeof events
export type EventName = keyof Events
export type EventOf<E extends EventName> = Events[E] extends z.ZodType ? z.output<Events[E]> : never

export const methodNames = Object.keys(methods) as MethodName[]
export const eventNames = Object.keys(events) as EventName[]

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name)
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name)
}

/** The one interface the renderer talks to, whichever transport is underneath. */
export interface ApiClient {
  call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>
  on<E extends EventName>(event: E, listener: (payload: EventOf<E>) => void): () => void
  readonly transport: 'electron' | 'websocket'
}

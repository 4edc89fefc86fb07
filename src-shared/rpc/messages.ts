/**
 * The messages every process pair exchanges (see endpoint.ts): a call and its result under one
 * id, events both ways, and the cancel of a call in flight. The same shapes cross worker
 * threads, child processes and the web host's WebSocket, whose clients may send anything.
 */
import { z } from 'zod'

const Id = z.number().refine(Number.isSafeInteger, 'must be a whole number')

export const RpcCall = z.object({ t: z.literal('call'), id: Id, method: z.string(), params: z.unknown() })
export const RpcResult = z.union([
  z.object({ t: z.literal('result'), id: Id, ok: z.literal(true), value: z.unknown() }),
  z.object({ t: z.literal('result'), id: Id, ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) })
])
export const RpcEvent = z.object({ t: z.literal('event'), name: z.string(), payload: z.unknown() })
export const RpcCancel = z.object({ t: z.literal('cancel'), id: Id })
export const RpcMessage = z.union([RpcCall, RpcResult, RpcEvent, RpcCancel])

export type RpcCall = z.infer<typeof RpcCall>
export type RpcResult = z.infer<typeof RpcResult>
export type RpcMessage = z.infer<typeof RpcMessage>

/** What a transport delivers for bytes it could not decode into a message: the problem in words. */
export class MalformedMessage {
  constructor(readonly problem: string) {}
}

/** The id of a message that is not a valid one, when it has a usable one (to answer under). */
export function strayId(message: unknown): number {
  const id = typeof message === 'object' && message !== null && 'id' in message ? message.id : undefined
  return typeof id === 'number' && Number.isSafeInteger(id) ? id : -1
}

/**
 * One end of a connection between two processes or threads: calls it makes and their results,
 * calls it serves, events both ways, and the cancel of a call in flight. Every pair talks
 * through one of these: the Electron shell and its engine host, a host and its analysis worker,
 * the web host and each browser, the job supervisor and a training job, a training job and its
 * gradient workers, and the run estimate's worker.
 *
 * Whatever arrives is checked here, once: the message's shape, and each event's payload against
 * the schema this side accepts for it (the shell and the browser check the contract's events).
 * The parameters of a call are the serving side's to check: the API's dispatcher checks them
 * against the contract before any handler runs, and checks every response it returns.
 */
import type { z } from 'zod'
import { ApiError, ErrorCode, type ApiErrorShape } from '../errors'
import { MalformedMessage, RpcMessage, strayId, type RpcCall, type RpcResult } from './messages'
import type { Transport } from './transport'

/** Payload types by event name, and the schema that checks each. */
export type Payloads = Record<string, unknown>
export type EventSchemas<In extends Payloads> = { [N in keyof In]: z.ZodType<In[N]> }
export type EventListener<In extends Payloads> = (name: keyof In & string, payload: In[keyof In & string]) => void

export interface EndpointOptions<In extends Payloads> {
  /** Answers the calls the peer makes; without it every call is refused. */
  serve?: (method: string, params: unknown, signal: AbortSignal) => unknown
  /** The events this side accepts, each with its payload's schema; any other event is dropped. */
  events?: EventSchemas<In>
  onEvent?: EventListener<In>
  /** For a relay that passes every event on, unchecked, to the side that checks it (instead of `events`). */
  forward?: (name: string, payload: unknown) => void
  /** The message for calls in flight (and made later) once the peer is gone. */
  unavailable?: (why: string) => string
  /** Who the peer is, for the error when a call cannot be sent ("the analysis worker"). */
  peer?: string
  /** Answer anything that is not a well-formed call with an error (a host facing clients it does not trust). */
  answerStrays?: boolean
  /** Buffers of a served value to move to the peer instead of copying (worker threads only). */
  transferOf?: (value: unknown) => ArrayBuffer[]
  /** How an error thrown by `serve` becomes an error result. */
  toErrorShape?: (err: unknown) => ApiErrorShape
  /** Told about each message dropped: undecodable, not a message, or an event not accepted. */
  onDropped?: (problem: string) => void
}

export interface CallOptions {
  /** Aborting it rejects the call with 'cancelled' (or the abort's reason, when that is an ApiError) and tells the peer to stop serving it. */
  signal?: AbortSignal
  /** Buffers in the params to move to the peer instead of copying (worker threads only). */
  transfer?: ArrayBuffer[]
}

export interface Endpoint {
  call(method: string, params: unknown, options?: CallOptions): Promise<unknown>
  /** Sends an event; throws when the payload cannot be sent (the caller decides whether that matters). */
  emit(name: string, payload: unknown): void
  /** Whether the peer is gone (or this side closed); calls then fail with 'unavailable'. */
  readonly closed: boolean
  close(): void
}

/** The default for a peer inside the engine, whose caller words the failure: the error's own message. */
const shapeOf = (err: unknown): ApiErrorShape => (err instanceof ApiError ? err.toJSON() : { code: 'internal', message: err instanceof Error ? err.message : String(err) })

function errorFrom(error: { code: string; message: string }): ApiError {
  const code = ErrorCode.safeParse(error.code)
  return new ApiError(code.success ? code.data : 'internal', error.message)
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]
  return issue ? `${issue.path.length ? issue.path.join('.') : '(message)'}: ${issue.message}` : 'invalid'
}

interface Waiter {
  resolve(value: unknown): void
  reject(err: ApiError): void
}

export function createEndpoint<In extends Payloads = Payloads>(transport: Transport, options: EndpointOptions<In> = {}): Endpoint {
  const pending = new Map<number, Waiter>()
  const serving = new Map<number, AbortController>()
  const toErrorShape = options.toErrorShape ?? shapeOf
  const unavailable = options.unavailable ?? ((why: string) => why)
  const dropped = options.onDropped ?? (() => undefined)
  const events = options.events
  const accepts = (name: string): name is keyof In & string => events !== undefined && Object.prototype.hasOwnProperty.call(events, name)
  let nextId = 1
  let closedWhy: string | null = null

  function shutDown(why: string): void {
    if (closedWhy !== null) return
    closedWhy = why
    for (const [id, waiter] of pending) {
      pending.delete(id)
      waiter.reject(new ApiError('unavailable', unavailable(why)))
    }
    for (const controller of serving.values()) controller.abort()
    serving.clear()
  }

  function trySend(message: RpcMessage): boolean {
    try {
      transport.send(message)
      return true
    } catch {
      return false
    }
  }

  /** A message this side cannot use: answered with an error when the peer is a client, otherwise dropped. */
  function stray(message: unknown, problem: string): void {
    if (options.answerStrays) trySend({ t: 'result', id: strayId(message), ok: false, error: { code: 'invalid_request', message: problem } })
    else dropped(problem)
  }

  async function answer(call: RpcCall): Promise<void> {
    const controller = new AbortController()
    serving.set(call.id, controller)
    let reply: RpcResult
    let transfer: ArrayBuffer[] | undefined
    try {
      if (!options.serve) throw new ApiError('unknown_method', `${call.method}: this side serves no calls`)
      const value = (await options.serve(call.method, call.params, controller.signal)) ?? null
      transfer = options.transferOf?.(value)
      reply = { t: 'result', id: call.id, ok: true, value }
    } catch (err) {
      reply = { t: 'result', id: call.id, ok: false, error: toErrorShape(err) }
    }
    if (serving.get(call.id) === controller) serving.delete(call.id)
    if (closedWhy !== null) return
    try {
      transport.send(reply, transfer)
    } catch (err) {
      // A value that cannot be sent still gets an answer.
      trySend({ t: 'result', id: call.id, ok: false, error: toErrorShape(err) })
    }
  }

  function receiveEvent(name: string, payload: unknown): void {
    if (options.forward) return options.forward(name, payload)
    if (!events || !accepts(name) || !options.onEvent) return stray({}, `unexpected event "${name}"`)
    const checked = events[name].safeParse(payload)
    if (!checked.success) return dropped(`event "${name}" does not match its schema: ${firstIssue(checked.error)}`)
    options.onEvent(name, checked.data)
  }

  transport.onMessage((raw) => {
    if (closedWhy !== null) return
    if (raw instanceof MalformedMessage) return stray(raw, raw.problem)
    const parsed = RpcMessage.safeParse(raw)
    if (!parsed.success) return stray(raw, options.answerStrays ? 'expected {t: "call", id, method, params}' : `not a message: ${firstIssue(parsed.error)}`)
    const message = parsed.data
    if (message.t === 'call') return void answer(message)
    if (message.t === 'cancel') return serving.get(message.id)?.abort()
    if (options.answerStrays) return stray(message, 'expected {t: "call", id, method, params}')
    if (message.t === 'event') return receiveEvent(message.name, message.payload)
    const waiter = pending.get(message.id)
    // A result after its call was cancelled: nobody waits for it any more.
    if (!waiter) return
    pending.delete(message.id)
    if (message.ok) waiter.resolve(message.value)
    else waiter.reject(errorFrom(message.error))
  })
  transport.onClose(shutDown)

  return {
    call(method, params, callOptions = {}) {
      if (closedWhy !== null) return Promise.reject(new ApiError('unavailable', unavailable(closedWhy)))
      const signal = callOptions.signal
      const cancelled = (): ApiError => (signal?.reason instanceof ApiError ? signal.reason : new ApiError('cancelled', `${method} was cancelled`))
      if (signal?.aborted) return Promise.reject(cancelled())
      const id = nextId++
      return new Promise<unknown>((resolve, reject) => {
        try {
          transport.send({ t: 'call', id, method, params }, callOptions.transfer)
        } catch (err) {
          const why = err instanceof Error ? err.message : String(err)
          reject(err instanceof ApiError ? err : new ApiError('invalid_request', `the ${method} request cannot be sent${options.peer ? ` to ${options.peer}` : ''}: ${why}`))
          return
        }
        pending.set(id, { resolve, reject })
        signal?.addEventListener(
          'abort',
          () => {
            const waiter = pending.get(id)
            if (!waiter) return
            pending.delete(id)
            trySend({ t: 'cancel', id })
            waiter.reject(cancelled())
          },
          { once: true }
        )
      })
    },
    emit(name, payload) {
      if (closedWhy === null) transport.send({ t: 'event', name, payload })
    },
    get closed() {
      return closedWhy !== null
    },
    close() {
      shutDown('closed by this side')
      transport.close()
    }
  }
}

/**
 * An endpoint that is started again when it is needed after its peer went away: `get` returns
 * the live one or starts a new one (calls in flight on the old one have failed with its reason).
 */
export function restartable(start: () => Endpoint): { get(): Endpoint; current(): Endpoint | null; stop(): void } {
  let endpoint: Endpoint | null = null
  return {
    get: () => (endpoint && !endpoint.closed ? endpoint : (endpoint = start())),
    current: () => (endpoint && !endpoint.closed ? endpoint : null),
    stop() {
      endpoint?.close()
      endpoint = null
    }
  }
}

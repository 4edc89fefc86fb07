import type { ApiClient, EventName, EventOf, MethodName, RequestOf, ResponseOf } from '../../src-shared/contract'
import { events, methods } from '../../src-shared/contract'

type Handler<M extends MethodName> = (request: RequestOf<M>) => ResponseOf<M> | Promise<ResponseOf<M>>
export type Handlers = { [M in MethodName]?: Handler<M> }
type Listener<E extends EventName> = (payload: EventOf<E>) => void
type Listeners = { [E in EventName]: Set<Listener<E>> }

const noListeners = (): Listeners => ({ 'task.progress': new Set(), 'runs.progress': new Set(), 'runs.status': new Set(), 'runs.epoch': new Set(), 'datasets.progress': new Set() })

/**
 * The API client a renderer unit test talks to in place of the transport (the one thing that
 * cannot run in a unit test). Each method a test expects is answered by its handler; requests
 * and answers are checked against the contract's schemas, as the host checks them, so a store
 * that sends a malformed request fails here too. Calls are recorded; `emit` plays a host event.
 * A test answers another method by setting it in `handlers`.
 */
export class FakeApiClient implements ApiClient {
  readonly transport = 'websocket' as const
  readonly calls: { method: MethodName; request: unknown }[] = []
  private readonly listeners = noListeners()

  constructor(readonly handlers: Handlers = {}) {}

  async call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>> {
    this.calls.push({ method, request })
    const checked = methods[method].request.safeParse(request)
    if (!checked.success) throw new Error(`${method}: the request breaks the contract: ${checked.error.message}`)
    const handler: Handler<M> | undefined = this.handlers[method]
    if (!handler) throw new Error(`${method}: this test gives no answer to it`)
    const response = await handler(request)
    const valid = methods[method].response.safeParse(response)
    if (!valid.success) throw new Error(`${method}: the test's answer breaks the contract: ${valid.error.message}`)
    return response
  }

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    const set: Set<Listener<E>> = this.listeners[event]
    set.add(listener)
    return () => set.delete(listener)
  }

  /** Delivers an event as the host would, after checking it against the contract. */
  emit<E extends EventName>(event: E, payload: EventOf<E>): void {
    events[event].parse(payload)
    const set: Set<Listener<E>> = this.listeners[event]
    for (const listener of set) listener(payload)
  }

  listenerCount(event: EventName): number {
    return this.listeners[event].size
  }

  /** The requests sent for one method, in order. */
  requests<M extends MethodName>(method: M): unknown[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.request)
  }
}

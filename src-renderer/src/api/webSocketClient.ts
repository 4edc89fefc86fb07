import type { ApiClient, EventName, EventOf, MethodName, RequestOf, ResponseOf } from '../../../src-shared/contract'
import { ApiError, isApiErrorShape } from '../../../src-shared/errors'
import { decodeFrame, encodeFrame, hasBinary, requestCap, requestTooLarge, WS_IDLE_CLOSE, type WireMessage } from '../../../src-shared/wire'

interface Pending {
  resolve(value: unknown): void
  reject(error: ApiError): void
}

/** The API over the local web host's WebSocket. The token travels as the HttpOnly cookie. */
export function createWebSocketClient(url: string): ApiClient {
  let socket: WebSocket | null = null
  let opening: Promise<WebSocket> | null = null
  let nextId = 1
  const pending = new Map<number, Pending>()
  const listeners = new Map<string, Set<(payload: unknown) => void>>()

  function onMessage(event: MessageEvent): void {
    const message = (typeof event.data === 'string' ? JSON.parse(event.data) : decodeFrame(new Uint8Array(event.data as ArrayBuffer))) as WireMessage
    if (message.t === 'event') {
      listeners.get(message.name)?.forEach((listener) => listener(message.payload))
      return
    }
    if (message.t !== 'result') return
    const waiter = pending.get(message.id)
    if (!waiter) return
    pending.delete(message.id)
    if (message.ok) waiter.resolve(message.value)
    else waiter.reject(new ApiError(isApiErrorShape(message.error) ? message.error.code : 'internal', message.error.message))
  }

  function connect(): Promise<WebSocket> {
    if (socket && socket.readyState === WebSocket.OPEN) return Promise.resolve(socket)
    if (opening) return opening
    opening = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url)
      ws.binaryType = 'arraybuffer'
      ws.onopen = () => {
        socket = ws
        opening = null
        resolve(ws)
      }
      ws.onerror = () => {
        opening = null
        reject(new ApiError('unavailable', 'cannot reach the Featurelens host; is `featurelens serve` still running?'))
      }
      ws.onclose = (event) => {
        socket = null
        const why = event.code === 1009 ? `a ${requestTooLarge(true)}` : 'the connection to the Featurelens host closed'
        for (const [id, waiter] of pending) {
          pending.delete(id)
          waiter.reject(new ApiError('unavailable', `${why}; reload the page`))
        }
        // Closed for idleness: reopen at once if something still listens for events (calls reopen it anyway).
        if (event.code === WS_IDLE_CLOSE && [...listeners.values()].some((set) => set.size > 0)) void connect().catch(() => undefined)
      }
      ws.onmessage = onMessage
    })
    return opening
  }

  return {
    transport: 'websocket',
    async call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>> {
      const ws = await connect()
      const id = nextId++
      const message: WireMessage = { t: 'call', id, method, params: request }
      const data = hasBinary(message) ? encodeFrame(message) : JSON.stringify(message)
      const size = typeof data === 'string' ? new TextEncoder().encode(data).byteLength : data.byteLength
      if (size > requestCap(typeof data !== 'string').bytes) throw new ApiError('invalid_request', `the ${method} ${requestTooLarge(typeof data !== 'string')} (it is ${(size / 1048576).toFixed(1)} MiB)`)
      return new Promise<ResponseOf<M>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
        ws.send(data)
      })
    },
    on<E extends EventName>(event: E, listener: (payload: EventOf<E>) => void): () => void {
      void connect().catch(() => undefined)
      const set = listeners.get(event) ?? new Set()
      set.add(listener as (payload: unknown) => void)
      listeners.set(event, set)
      return () => set.delete(listener as (payload: unknown) => void)
    }
  }
}

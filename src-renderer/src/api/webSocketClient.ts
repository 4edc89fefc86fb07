import { events, type ApiClient, type EventName, type EventOf, type MethodName, type RequestOf, type ResponseOf } from '../../../src-shared/contract'
import { ApiError } from '../../../src-shared/errors'
import { createEndpoint, restartable } from '../../../src-shared/rpc/endpoint'
import { MalformedMessage } from '../../../src-shared/rpc/messages'
import type { Transport } from '../../../src-shared/rpc/transport'
import { decodeMessage, encodeMessage, requestCap, requestTooLarge, WS_IDLE_CLOSE } from '../../../src-shared/wire'

const unreachable = 'cannot reach the Featurelens host; is `featurelens serve` still running?'

/** A browser WebSocket as a transport; what is sent before it opens waits for it. `onIdleClose`: the host closed it for idleness. */
function socketTransport(url: string, onIdleClose: () => void): Transport {
  const ws = new WebSocket(url)
  ws.binaryType = 'arraybuffer'
  let opened = false
  const waiting: (string | Uint8Array)[] = []
  ws.addEventListener('open', () => {
    opened = true
    waiting.splice(0).forEach((data) => ws.send(data))
  })
  return {
    send(message) {
      const data = encodeMessage(message)
      const binary = typeof data !== 'string'
      const size = binary ? data.byteLength : new TextEncoder().encode(data).byteLength
      if (message.t === 'call' && size > requestCap(binary).bytes) throw new ApiError('invalid_request', `the ${message.method} ${requestTooLarge(binary)} (it is ${(size / 1048576).toFixed(1)} MiB)`)
      if (opened) ws.send(data)
      else waiting.push(data)
    },
    onMessage(listener) {
      ws.addEventListener('message', (event: MessageEvent<string | ArrayBuffer>) => {
        try {
          listener(decodeMessage(typeof event.data === 'string' ? event.data : new Uint8Array(event.data)))
        } catch {
          listener(new MalformedMessage('the host sent a message that is not valid JSON or a valid binary frame'))
        }
      })
    },
    onClose(listener) {
      ws.addEventListener('error', () => {
        if (!opened) listener(unreachable)
      })
      ws.addEventListener('close', (event) => {
        const why = event.code === 1009 ? `a ${requestTooLarge(true)}` : 'the connection to the Featurelens host closed'
        listener(opened ? `${why}; reload the page` : unreachable)
        if (event.code === WS_IDLE_CLOSE) setTimeout(onIdleClose, 0)
      })
    },
    close: () => ws.close()
  }
}

/**
 * The API over the local web host's WebSocket (the token travels as the HttpOnly cookie). The
 * socket opens on first use and again on the first use after it closed; events are checked
 * against the contract as they arrive.
 */
export function createWebSocketClient(url: string): ApiClient {
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const connection = restartable(() =>
    createEndpoint(socketTransport(url, reopenIfListening), {
      events,
      onEvent: (name, payload) => listeners.get(name)?.forEach((listener) => listener(payload)),
      onDropped: (problem) => console.error(`featurelens: ${problem}`)
    })
  )

  // Closed for idleness: reopen at once while something listens for events (a call reopens it anyway).
  function reopenIfListening(): void {
    if ([...listeners.values()].some((set) => set.size > 0)) connection.get()
  }

  return {
    transport: 'websocket',
    async call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>> {
      return (await connection.get().call(method, request)) as ResponseOf<M>
    },
    on<E extends EventName>(event: E, listener: (payload: EventOf<E>) => void): () => void {
      connection.get()
      const set = listeners.get(event) ?? new Set()
      set.add(listener as (payload: unknown) => void)
      listeners.set(event, set)
      return () => set.delete(listener as (payload: unknown) => void)
    }
  }
}

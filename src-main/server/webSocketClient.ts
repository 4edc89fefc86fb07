import type { WebSocket } from 'ws'
import { createEndpoint } from '../../src-shared/rpc/endpoint'
import { MalformedMessage } from '../../src-shared/rpc/messages'
import type { Transport } from '../../src-shared/rpc/transport'
import { decodeMessage, encodeMessage, requestCap, requestTooLarge } from '../../src-shared/wire'
import type { EventBus } from '../api/context'
import { toErrorShape, type Dispatch } from '../api/router'

type WsData = Buffer | ArrayBuffer | Buffer[]

/** One browser's socket as a transport: JSON text or binary frames, each request capped before it is decoded. */
function socketTransport(ws: WebSocket): Transport {
  return {
    send(message) {
      if (ws.readyState !== ws.OPEN) return
      const data = encodeMessage(message)
      ws.send(data, { binary: typeof data !== 'string' })
    },
    onMessage(listener) {
      ws.on('message', (data: WsData, isBinary: boolean) => {
        // ws caps every message at the binary cap; JSON text has a smaller one, checked before parsing.
        const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength
        if (size > requestCap(isBinary).bytes) return listener(new MalformedMessage(requestTooLarge(isBinary)))
        const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)
        try {
          listener(decodeMessage(isBinary ? bytes : bytes.toString('utf8')))
        } catch {
          listener(new MalformedMessage('message is not valid JSON or a valid binary frame'))
        }
      })
    },
    onClose(listener) {
      ws.on('close', () => listener('the socket closed'))
      // Oversized or malformed frames: ws has already closed the socket (1009, 1002); nothing to add.
      ws.on('error', (err) => listener(err.message))
    },
    close: () => ws.close()
  }
}

/** Serves API calls over one WebSocket and forwards every event to it until it closes. */
export function attachWebSocketClient(ws: WebSocket, dispatch: Dispatch, events: EventBus): void {
  const endpoint = createEndpoint(socketTransport(ws), { serve: (method, params) => dispatch(method, params), answerStrays: true, toErrorShape })
  const unsubscribe = events.subscribe((name, payload) => {
    try {
      endpoint.emit(name, payload)
    } catch {
      ws.terminate()
    }
  })
  ws.on('close', unsubscribe)
  ws.on('error', unsubscribe)
}

import type { WebSocket } from 'ws'
import { decodeFrame, encodeFrame, hasBinary, type WireMessage } from '../../src-shared/wire'
import type { EventBus } from '../api/context'
import { toErrorShape, type Dispatch } from '../api/router'

function send(ws: WebSocket, message: WireMessage): void {
  if (ws.readyState !== ws.OPEN) return
  if (hasBinary(message)) ws.send(encodeFrame(message), { binary: true })
  else ws.send(JSON.stringify(message))
}

/** Serves API calls over one WebSocket and forwards every event to it until it closes. */
export function attachWebSocketClient(ws: WebSocket, dispatch: Dispatch, events: EventBus): void {
  const unsubscribe = events.subscribe((name, payload) => send(ws, { t: 'event', name, payload }))
  ws.on('close', unsubscribe)
  ws.on('error', unsubscribe)
  ws.on('message', async (data, isBinary) => {
    let message: WireMessage
    try {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)
      message = (isBinary ? decodeFrame(bytes) : JSON.parse(bytes.toString('utf8'))) as WireMessage
    } catch {
      send(ws, { t: 'result', id: -1, ok: false, error: { code: 'invalid_request', message: 'message is not valid JSON or a valid binary frame' } })
      return
    }
    if (!message || message.t !== 'call' || typeof message.id !== 'number') {
      const id = (message as { id?: unknown } | null)?.id
      send(ws, { t: 'result', id: typeof id === 'number' ? id : -1, ok: false, error: { code: 'invalid_request', message: 'expected {t: "call", id, method, params}' } })
      return
    }
    try {
      const value = await dispatch(message.method, message.params)
      send(ws, { t: 'result', id: message.id, ok: true, value: value ?? null })
    } catch (err) {
      send(ws, { t: 'result', id: message.id, ok: false, error: toErrorShape(err) })
    }
  })
}

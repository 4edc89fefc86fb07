import type { WebSocket } from 'ws'
import { decodeFrame, encodeFrame, hasBinary, requestCap, requestTooLarge, type WireMessage } from '../../src-shared/wire'
import type { EventBus } from '../api/context'
import { toErrorShape, type Dispatch } from '../api/router'

function send(ws: WebSocket, message: WireMessage): void {
  if (ws.readyState !== ws.OPEN) return
  if (hasBinary(message)) ws.send(encodeFrame(message), { binary: true })
  else ws.send(JSON.stringify(message))
}

function parseMessage(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): unknown {
  const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)
  return isBinary ? decodeFrame(bytes) : JSON.parse(bytes.toString('utf8'))
}

function isCall(message: unknown): message is Extract<WireMessage, { t: 'call' }> {
  const m = message as { t?: unknown; id?: unknown; method?: unknown } | null
  return typeof m === 'object' && m !== null && m.t === 'call' && Number.isSafeInteger(m.id) && typeof m.method === 'string'
}

/** Serves API calls over one WebSocket and forwards every event to it until it closes. */
export function attachWebSocketClient(ws: WebSocket, dispatch: Dispatch, events: EventBus): void {
  const unsubscribe = events.subscribe((name, payload) => {
    try {
      send(ws, { t: 'event', name, payload })
    } catch {
      ws.terminate()
    }
  })
  ws.on('close', unsubscribe)
  // Oversized or malformed frames: ws has already closed the socket (1009, 1002); nothing to add.
  ws.on('error', unsubscribe)
  ws.on('message', (data, isBinary) => void answer(data as Buffer | ArrayBuffer | Buffer[], isBinary))

  async function answer(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): Promise<void> {
    // ws caps every message at the binary cap; JSON text has a smaller one, checked before parsing.
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength
    if (size > requestCap(isBinary).bytes) {
      send(ws, { t: 'result', id: -1, ok: false, error: { code: 'invalid_request', message: requestTooLarge(isBinary) } })
      return
    }
    let message: unknown
    try {
      message = parseMessage(data, isBinary)
    } catch {
      send(ws, { t: 'result', id: -1, ok: false, error: { code: 'invalid_request', message: 'message is not valid JSON or a valid binary frame' } })
      return
    }
    if (!isCall(message)) {
      const id = (message as { id?: unknown } | null)?.id
      send(ws, { t: 'result', id: Number.isSafeInteger(id) ? (id as number) : -1, ok: false, error: { code: 'invalid_request', message: 'expected {t: "call", id, method, params}' } })
      return
    }
    let reply: WireMessage
    try {
      reply = { t: 'result', id: message.id, ok: true, value: (await dispatch(message.method, message.params)) ?? null }
    } catch (err) {
      reply = { t: 'result', id: message.id, ok: false, error: toErrorShape(err) }
    }
    try {
      send(ws, reply)
    } catch (err) {
      send(ws, { t: 'result', id: message.id, ok: false, error: toErrorShape(err) })
    }
  }
}

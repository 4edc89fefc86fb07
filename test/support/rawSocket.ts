import { connect } from 'node:net'

export interface RawExchange {
  /** Everything the server wrote back. */
  text: string
  /** Whether the server closed the connection (rather than the wait running out). */
  closed: boolean
  /** The status code of the first response line, or 0 when there was none. */
  status: number
}

/**
 * Writes raw bytes to the host (anything: broken request lines, bad headers, half a body) and
 * collects what comes back until the server closes the socket or `waitMs` passes.
 */
export function rawExchange(port: number, chunks: (string | Buffer)[] | string | Buffer, waitMs = 2000): Promise<RawExchange> {
  const parts = Array.isArray(chunks) ? chunks : [chunks]
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let text = ''
    let done = false
    const finish = (closed: boolean): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text)
      resolve({ text, closed, status: match ? Number(match[1]) : 0 })
    }
    const timer = setTimeout(() => finish(false), waitMs)
    socket.on('data', (d) => {
      text += d.toString('latin1')
      if (responseComplete(text)) finish(false)
    })
    socket.on('close', () => finish(true))
    socket.on('error', () => finish(true))
    socket.on('connect', () => {
      for (const part of parts) socket.write(part)
    })
  })
}

/** Whether `text` holds one whole response (headers and a Content-Length or chunked body, or a 101). */
function responseComplete(text: string): boolean {
  const end = text.indexOf('\r\n\r\n')
  if (end < 0) return false
  if (text.startsWith('HTTP/1.1 101')) return true
  const head = text.slice(0, end)
  if (/\r\ntransfer-encoding: *chunked/i.test(head)) return text.endsWith('\r\n0\r\n\r\n')
  const length = /\r\ncontent-length: *(\d+)/i.exec(head)
  return length !== null && text.length - end - 4 >= Number(length[1])
}

/** An HTTP/1.1 request as text, with Host set to the loopback name unless given. */
export function httpText(port: number, requestLine: string, headers: Record<string, string> = {}, body = ''): string {
  const all: Record<string, string> = { Host: `127.0.0.1:${port}`, ...headers }
  if (body && all['Content-Length'] === undefined) all['Content-Length'] = String(Buffer.byteLength(body))
  return `${requestLine}\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`
}

export const upgradeHeaders = {
  Connection: 'Upgrade',
  Upgrade: 'websocket',
  'Sec-WebSocket-Version': '13',
  'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ=='
}

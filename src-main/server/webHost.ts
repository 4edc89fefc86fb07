import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer } from 'ws'
import { hasBinary, encodeFrame, decodeFrame } from '../../src-shared/wire'
import { ApiError } from '../../src-shared/errors'
import type { EventBus } from '../api/context'
import { toErrorShape, type Dispatch } from '../api/router'
import { createGuard } from './guard'
import { readStaticFile } from './static'
import { attachWebSocketClient } from './webSocketClient'

export interface WebHostOptions {
  host: string
  port: number
  token: string
  rendererDir: string
  dispatch: Dispatch
  events: EventBus
  /** Largest API request body accepted, in bytes. */
  maxBodyBytes?: number
}

export interface WebHost {
  url: string
  port: number
  close(): Promise<void>
}

function contentSecurityPolicy(host: string): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src 'self' ws://${host}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'"
  ].join('; ')
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' })
  res.end(JSON.stringify({ code, message }))
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > limit) throw new ApiError('invalid_request', `request body is larger than ${limit} bytes`)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

/**
 * The local web host: the renderer build plus the API over HTTP (POST /api/<method>) and
 * WebSocket (/ws). Every request must pass the guard: loopback Host, own Origin, token.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  let port = options.port
  const guard = createGuard({ token: options.token, port: () => port })
  const maxBody = options.maxBodyBytes ?? 16 * 1024 * 1024
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxBody })

  const server = createServer(async (req, res) => {
    try {
      if (!guard.hostAllowed(req)) return sendError(res, 403, 'unauthorized', `Host "${req.headers.host ?? ''}" is not allowed; open the URL printed by featurelens serve`)
      const url = new URL(req.url ?? '/', 'http://localhost')
      const proof = guard.tokenFrom(req, url)
      if (!proof) return sendError(res, 401, 'unauthorized', 'missing or wrong token; open the URL printed by featurelens serve')

      if (url.pathname.startsWith('/api/')) {
        if (req.method !== 'POST') return sendError(res, 405, 'invalid_request', 'API calls use POST')
        if (!guard.originAllowed(req)) return sendError(res, 403, 'unauthorized', 'cross-origin API requests are refused')
        await handleApiRequest(req, res, url.pathname.slice(5))
        return
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'invalid_request', 'only GET is served here')
      const file = await readStaticFile(options.rendererDir, url.pathname)
      if (!file) return sendError(res, 404, 'not_found', `no such file: ${url.pathname}`)
      const headers: Record<string, string> = {
        'Content-Type': file.contentType,
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': contentSecurityPolicy(req.headers.host ?? ''),
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-store'
      }
      // The token arrives once in the URL; from then on the HttpOnly cookie carries it.
      if (proof === 'query') headers['Set-Cookie'] = guard.sessionCookie()
      res.writeHead(200, headers)
      res.end(req.method === 'HEAD' ? undefined : file.body)
    } catch (err) {
      const shape = toErrorShape(err)
      if (!res.headersSent) sendError(res, shape.code === 'internal' ? 500 : 400, shape.code, shape.message)
      else res.destroy()
    }
  })

  async function handleApiRequest(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    let params: unknown
    try {
      const body = await readBody(req, maxBody)
      const type = req.headers['content-type'] ?? ''
      params = body.length === 0 ? {} : type.startsWith('application/octet-stream') ? decodeFrame(body) : JSON.parse(body.toString('utf8'))
    } catch (err) {
      const message = err instanceof ApiError ? err.message : `request body is not valid JSON: ${(err as Error).message}`
      return sendError(res, 400, 'invalid_request', message)
    }
    try {
      const value = await options.dispatch(decodeURIComponent(method), params)
      if (hasBinary(value)) {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' })
        res.end(encodeFrame(value))
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' })
        res.end(JSON.stringify(value ?? null))
      }
    } catch (err) {
      const shape = toErrorShape(err)
      const status = shape.code === 'unknown_method' || shape.code === 'not_found' ? 404 : shape.code === 'internal' ? 500 : 400
      sendError(res, status, shape.code, shape.message)
    }
  }

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const refuse = (status: number, reason: string): void => {
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    }
    if (url.pathname !== '/ws') return refuse(404, 'Not Found')
    if (!guard.hostAllowed(req)) return refuse(403, 'Forbidden')
    if (!guard.originAllowed(req)) return refuse(403, 'Forbidden')
    if (!guard.tokenFrom(req, url)) return refuse(401, 'Unauthorized')
    wss.handleUpgrade(req, socket, head, (ws) => attachWebSocketClient(ws, options.dispatch, options.events))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolve())
  })
  port = (server.address() as AddressInfo).port
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host
  return {
    url: `http://${hostForUrl}:${port}/?token=${options.token}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate()
        wss.close()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

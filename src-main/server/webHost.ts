import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import { contentSecurityPolicy } from '../../src-shared/csp'
import { hasBinary, encodeFrame, decodeFrame, MAX_BINARY_REQUEST_BYTES, requestCap, requestTooLarge } from '../../src-shared/wire'
import { ApiError } from '../../src-shared/errors'
import type { EventBus } from '../api/context'
import { toErrorShape, type Dispatch } from '../api/router'
import { createGuard, hostHeaderCount } from './guard'
import { closeWhenIdle } from './idleSocket'
import { readStaticFile } from './static'
import { attachWebSocketClient } from './webSocketClient'

export interface WebHostOptions {
  host: string
  port: number
  token: string
  rendererDir: string
  dispatch: Dispatch
  events: EventBus
  /** Largest binary API request or WebSocket message accepted, in bytes (JSON ones: 1 MiB). */
  maxBodyBytes?: number
  /** How long a client may take to send its headers, and its whole request, in ms. */
  headersTimeoutMs?: number
  requestTimeoutMs?: number
  /** How long a WebSocket may stay idle (nothing sent either way, no call running) before it is closed, in ms. */
  webSocketIdleMs?: number
}

export interface WebHost {
  url: string
  port: number
  close(): Promise<void>
}

const jsonHeaders = { 'Content-Type': 'application/json; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' }

function sendError(res: ServerResponse, status: number, code: string, message: string, close = false): void {
  res.writeHead(status, close ? { ...jsonHeaders, Connection: 'close' } : jsonHeaders)
  res.end(JSON.stringify({ code, message }))
}

/** The request target as a URL, or null when it is not an origin-form path ("//", "*", "http://…"). */
export function requestUrl(target: string | undefined): URL | null {
  if (typeof target !== 'string' || !target.startsWith('/')) return null
  try {
    return new URL('http://localhost' + target)
  } catch {
    return null
  }
}

class BodyTooLarge extends ApiError {
  constructor(binary: boolean) {
    super('invalid_request', requestTooLarge(binary))
  }
}

/** How long, and how many bytes, the rest of an over-cap body is read and dropped before the 413. */
const DISCARD_MS = 1000
const DISCARD_BYTES = 64 * 1024 * 1024

/** The body, collected up to `limit` bytes; over it, BodyTooLarge (the request is left open, not destroyed). */
function readBody(req: IncomingMessage, limit: number, binary: boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > limit) return reject(new BodyTooLarge(binary))
    const chunks: Buffer[] = []
    let size = 0
    const stop = (): void => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
    }
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size <= limit) return void chunks.push(chunk)
      stop()
      reject(new BodyTooLarge(binary))
    }
    const onEnd = (): void => {
      stop()
      resolve(Buffer.concat(chunks))
    }
    const onError = (err: Error): void => {
      stop()
      reject(err)
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
  })
}

/**
 * Reads and drops the rest of an over-cap body (for at most DISCARD_MS and DISCARD_BYTES) before
 * the 413 goes out: a socket closed with unread bytes is reset, and a client still sending would
 * lose the answer. Nothing is kept, so this costs no memory.
 */
function discardRest(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (req.complete || req.destroyed) return resolve()
    let dropped = 0
    const done = (): void => {
      clearTimeout(timer)
      req.off('data', onData)
      req.off('end', done)
      req.off('close', done)
      req.off('error', done)
      resolve()
    }
    const onData = (chunk: Buffer): void => {
      dropped += chunk.length
      if (dropped > DISCARD_BYTES) done()
    }
    const timer = setTimeout(done, DISCARD_MS)
    req.on('data', onData)
    req.on('end', done)
    req.on('close', done)
    req.on('error', done)
  })
}

/** A page load: the one request on which the token may come in the query string. */
function isPageLoad(req: IncomingMessage, url: URL): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && (url.pathname === '/' || url.pathname.endsWith('.html'))
}

/**
 * The local web host: the renderer build plus the API over HTTP (POST /api/<method>) and
 * WebSocket (/ws). Every request must pass the guard: loopback Host, own Origin, token.
 * No request, however malformed, may stop it: each handler answers 4xx or closes the socket.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  let port = options.port
  const guard = createGuard({ token: options.token, port: () => port })
  const maxBody = options.maxBodyBytes ?? MAX_BINARY_REQUEST_BYTES
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxBody })
  const headersTimeout = options.headersTimeoutMs ?? 10_000
  const requestTimeout = options.requestTimeoutMs ?? 30_000
  // Generous: a page left open without a call or an event for this long reconnects when it needs to.
  const webSocketIdle = options.webSocketIdleMs ?? 15 * 60_000

  const server = createServer(
    {
      headersTimeout,
      requestTimeout,
      // How often Node checks the two timeouts above (default 30 s, far too coarse for them).
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(headersTimeout / 4))),
      keepAliveTimeout: 5_000
    },
    (req, res) => {
      handleRequest(req, res).catch((err: unknown) => {
        const shape = toErrorShape(err)
        if (!res.headersSent) sendError(res, shape.code === 'internal' ? 500 : 400, shape.code, shape.message)
        else res.destroy()
      })
    }
  )

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Node keeps the first of several; a proxy may have checked another one.
    if (hostHeaderCount(req) > 1) return sendError(res, 400, 'invalid_request', 'the request has more than one Host header', true)
    if (!guard.hostAllowed(req)) return sendError(res, 403, 'unauthorized', `Host "${req.headers.host ?? ''}" is not allowed; open the URL printed by featurelens serve`)
    const url = requestUrl(req.url)
    if (!url) return sendError(res, 400, 'invalid_request', 'the request target is not a path')
    const proof = guard.tokenFrom(req, url, isPageLoad(req, url))
    if (!proof) return sendError(res, 401, 'unauthorized', 'missing or wrong token; open the URL printed by featurelens serve')

    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') return sendError(res, 405, 'invalid_request', 'API calls use POST')
      if (!guard.originAllowed(req)) return sendError(res, 403, 'unauthorized', 'cross-origin API requests are refused')
      return handleApiRequest(req, res, url.pathname.slice(5))
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'invalid_request', 'only GET is served here')
    const file = await readStaticFile(options.rendererDir, url.pathname)
    if (!file) return sendError(res, 404, 'not_found', 'no such file')
    const headers: Record<string, string> = {
      'Content-Type': file.contentType,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': contentSecurityPolicy({ delivery: 'header', connectSrc: ["'self'", `ws://${req.headers.host ?? ''}`] }),
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store'
    }
    // The token arrives once in the URL; from then on the HttpOnly cookie carries it.
    if (proof === 'query') headers['Set-Cookie'] = guard.sessionCookie()
    res.writeHead(200, headers)
    res.end(req.method === 'HEAD' ? undefined : file.body)
  }

  async function handleApiRequest(req: IncomingMessage, res: ServerResponse, encodedMethod: string): Promise<void> {
    let method: string
    try {
      method = decodeURIComponent(encodedMethod)
    } catch {
      return sendError(res, 400, 'invalid_request', 'the method name in the URL is not valid percent-encoding')
    }
    let params: unknown
    try {
      const binary = (req.headers['content-type'] ?? '').startsWith('application/octet-stream')
      const body = await readBody(req, Math.min(maxBody, requestCap(binary).bytes), binary)
      params = body.length === 0 ? {} : binary ? decodeFrame(body) : JSON.parse(body.toString('utf8'))
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        // The rest is dropped unread (bounded), then the answer closes the connection.
        await discardRest(req)
        return sendError(res, 413, err.code, err.message, true)
      }
      const detail = err instanceof Error ? err.message : String(err)
      return sendError(res, 400, 'invalid_request', `request body is not valid JSON or a valid binary frame: ${detail}`)
    }
    try {
      const value = await options.dispatch(method, params)
      if (hasBinary(value)) {
        const frame = encodeFrame(value)
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' })
        res.end(frame)
      } else {
        const text = JSON.stringify(value ?? null)
        res.writeHead(200, jsonHeaders)
        res.end(text)
      }
    } catch (err) {
      const shape = toErrorShape(err)
      const status = shape.code === 'unknown_method' || shape.code === 'not_found' ? 404 : shape.code === 'internal' ? 500 : 400
      sendError(res, status, shape.code, shape.message)
    }
  }

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refuse = (status: number, reason: string): void => {
      if (socket.writable) socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
      else socket.destroy()
    }
    const url = requestUrl(req.url)
    if (!url) return refuse(400, 'Bad Request')
    if (url.pathname !== '/ws') return refuse(404, 'Not Found')
    if (hostHeaderCount(req) > 1) return refuse(400, 'Bad Request')
    if (!guard.hostAllowed(req)) return refuse(403, 'Forbidden')
    if (!guard.originAllowed(req)) return refuse(403, 'Forbidden')
    if (!guard.tokenFrom(req, url)) return refuse(401, 'Unauthorized')
    wss.handleUpgrade(req, socket, head, (ws) => attachWebSocketClient(ws, closeWhenIdle(ws, webSocketIdle, options.events, options.dispatch), options.events))
  }

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    // Node hands the socket over without an error listener; a reset must not stop the host.
    socket.on('error', () => socket.destroy())
    try {
      handleUpgrade(req, socket, head)
    } catch {
      socket.destroy()
    }
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

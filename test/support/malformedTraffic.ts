import { connect } from 'node:net'
import WebSocket from 'ws'
import { encodeFrame } from '../../src-shared/wire'
import { httpText, rawExchange, upgradeHeaders } from './rawSocket'

/** A small seeded generator, so a failing case can be replayed. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface TrafficTarget {
  port: number
  token: string
}

export interface TrafficCounts {
  http: number
  upgrades: number
  wsMessages: number
  wsRawFrames: number
  total: number
  /** Cases whose answer broke a rule: a 5xx, a stack trace, an internal error. */
  failures: string[]
}

const STACK = /\n\s+at |\.ts:\d+|URIError|TypeError|RangeError/

const oddTargets = ['//', '///ws', '*', '/%ZZ', '/api/%ZZ', '/api/%', '/api/%E0%A4%A', '/%00', '/api/app.info%00', '/..%2f..%2fetc%2fpasswd', '/ws?%', '/?token=%', '/a'.repeat(2000), '/api/' + 'x'.repeat(5000), '/ws#frag', 'http://evil.example/', '/api/__proto__', '/api/constructor', '/api/toString']
const oddCookies = ['a=%', 'a=%E0%A4%A', '=', ';;;', 'featurelens_token_1=%', 'x'.repeat(6000) + '=1', 'a="\\u0000"', '\u00ff=\u00ff']
const methods = ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'BREW', 'G\u00c9T']

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]
}

function randomBytes(rand: () => number, n: number): Buffer {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256)
  return b
}

function damagedFrame(rand: () => number): Buffer {
  const frame = Buffer.from(encodeFrame({ t: 'call', id: 1, method: 'app.info', params: { a: new Float32Array(Math.floor(rand() * 8)), b: new Uint8Array(3) } }))
  const kind = Math.floor(rand() * 4)
  if (kind === 0) frame[Math.floor(rand() * frame.length)] = Math.floor(rand() * 256)
  else if (kind === 1) frame.writeUInt32LE(Math.floor(rand() * 0xffffffff), 0)
  else if (kind === 2) return frame.subarray(0, Math.floor(rand() * frame.length))
  else {
    const header = JSON.stringify({ t: 'call', id: 1, method: 'app.info', params: { a: { $bin: 0, kind: pick(rand, ['Float32Array', 'constructor', 'Nope']), length: pick(rand, [-1, -8, 2 ** 31, 2 ** 32 - 1, 1.5, 1e308]) } } })
    const text = Buffer.from(header)
    const out = Buffer.alloc(Math.ceil((4 + text.length) / 8) * 8 + 16)
    out.writeUInt32LE(text.length, 0)
    text.copy(out, 4)
    return out
  }
  return frame
}

/** One malformed HTTP request (no upgrade), as raw bytes. */
function malformedHttp(rand: () => number, t: TrafficTarget, i: number): (string | Buffer)[] {
  const auth: Record<string, string> = rand() < 0.6 ? { Authorization: `Bearer ${t.token}` } : {}
  switch (i % 10) {
    case 0:
      return [randomBytes(rand, 1 + Math.floor(rand() * 200))]
    case 1:
      return [httpText(t.port, `${pick(rand, methods)} ${pick(rand, oddTargets)} HTTP/1.1`, { ...auth, Connection: 'close' })]
    case 2:
      return [httpText(t.port, 'GET / HTTP/1.1', { ...auth, Cookie: `${pick(rand, oddCookies)}; featurelens_token_${t.port}=${t.token}`, Connection: 'close' })]
    case 3:
      return [httpText(t.port, 'POST /api/app.info HTTP/1.1', { ...auth, 'Content-Type': 'application/json', Connection: 'close' }, pick(rand, ['{', '[]', 'null', '"x"', '{"__proto__":{"a":1}}', '\u0000', '{"a":' + '['.repeat(5000)]))]
    case 4:
      return [httpText(t.port, 'POST /api/app.info HTTP/1.1', { ...auth, 'Content-Type': 'application/octet-stream', 'Content-Length': '0', Connection: 'close' }).replace('Content-Length: 0', ''), damagedFrame(rand)]
    case 5:
      return [httpText(t.port, 'POST /api/app.info HTTP/1.1', { ...auth, 'Content-Length': pick(rand, ['-1', 'abc', '99999999999999999999', '1, 2', '0x10']), Connection: 'close' }, '{}')]
    case 6:
      return [httpText(t.port, 'POST /api/app.info HTTP/1.1', { ...auth, 'Transfer-Encoding': 'chunked', Connection: 'close' }) + pick(rand, ['zz\r\n{}\r\n0\r\n\r\n', 'fffffffffffffff\r\n', '2\r\n{}\r\n0\r\n\r\n', '-1\r\n'])]
    case 7:
      return [`GET / HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\n${pick(rand, ['Bad Header\r\n', ': novalue\r\n', 'X: \u0000\r\n', 'Host: a\r\n', `X-Long: ${'y'.repeat(20000)}\r\n`])}\r\n`]
    case 8:
      return [httpText(t.port, `POST /api/${pick(rand, ['app.info', 'runs.list', 'datasets.browse', 'nope', 'runs.delete', 'inspect.featureMaps'])} HTTP/1.1`, { ...auth, 'Content-Type': 'application/json', Connection: 'close' }, JSON.stringify(pick(rand, [{ runId: -1 }, { path: '\u0000' }, { runId: 'x'.repeat(300) }, [1, 2], { epoch: 1e308 }, { refs: Array(300).fill({}) }])))]
    default:
      return [pick(rand, ['GET / HTTP/9.9\r\n\r\n', 'GET\r\n\r\n', '\r\n\r\n\r\n', 'GET / HTTP/1.1\r\n' + 'A: b\r\n'.repeat(3000) + '\r\n', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'])]
  }
}

/** One malformed WebSocket upgrade, as raw bytes. */
function malformedUpgrade(rand: () => number, t: TrafficTarget): string {
  const cookie = rand() < 0.5 ? `featurelens_token_${t.port}=${t.token}` : pick(rand, oddCookies)
  const headers: Record<string, string> = { ...upgradeHeaders, Cookie: `${pick(rand, oddCookies)}; ${cookie}`, Connection: 'Upgrade' }
  const change = Math.floor(rand() * 5)
  if (change === 0) headers['Sec-WebSocket-Key'] = pick(rand, ['', 'short', '%%%', 'x'.repeat(100)])
  if (change === 1) headers['Sec-WebSocket-Version'] = pick(rand, ['8', 'abc', ''])
  if (change === 2) headers.Origin = pick(rand, ['null', 'http://evil.example', '%', 'http://[::1', `http://127.0.0.1:${t.port}`])
  if (change === 3) headers.Upgrade = pick(rand, ['h2c', 'websocket, x', ''])
  const target = rand() < 0.5 ? pick(rand, oddTargets) : `/ws?token=${t.token}`
  return httpText(t.port, `GET ${target} HTTP/1.1`, headers)
}

function openSocket(t: TrafficTarget): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${t.port}/ws`, { headers: { Cookie: `featurelens_token_${t.port}=${t.token}` } })
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

/** Sends malformed messages on one authenticated socket; checks every answer it gets. */
async function malformedMessages(rand: () => number, t: TrafficTarget, count: number, failures: string[]): Promise<number> {
  const ws = await openSocket(t)
  let answers = 0
  ws.on('message', (data) => {
    answers++
    const text = data.toString()
    if (STACK.test(text) || /"code":"internal"/.test(text)) failures.push(`ws answer: ${text.slice(0, 200)}`)
  })
  for (let i = 0; i < count; i++) {
    const kind = i % 5
    if (kind === 0) ws.send(pick(rand, ['', '{', 'null', '[]', '{"t":"call"}', '{"t":"call","id":"1","method":"app.info"}', '{"t":"call","id":1e400,"method":"app.info"}', '{"t":"call","id":1,"method":{}}', '{"__proto__":{"t":"call"}}']))
    else if (kind === 1) ws.send(damagedFrame(rand), { binary: true })
    else if (kind === 2) ws.send(randomBytes(rand, Math.floor(rand() * 64)), { binary: true })
    else if (kind === 3) ws.send(JSON.stringify({ t: 'call', id: i, method: pick(rand, ['app.info', 'nope', '__proto__', 'constructor', 'runs.show', 'datasets.browse']), params: pick(rand, [null, 1, 'x', { runId: -5 }, { path: '%' }, [], { a: 'x'.repeat(1000) }]) }))
    else ws.send(JSON.stringify({ t: pick(rand, ['result', 'event', 'CALL', 1]), id: i, name: 'x' }))
  }
  // Everything sent is answered (or the socket is closed by the host); then close.
  const deadline = Date.now() + 15_000
  while (answers < count && ws.readyState === ws.OPEN && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  if (ws.readyState !== ws.OPEN) failures.push('the host closed a socket that only sent well-framed messages')
  else if (answers < count) failures.push(`only ${answers} of ${count} websocket messages were answered`)
  ws.close()
  return count
}

/** A raw, invalid WebSocket frame after a real handshake: the host must close, not crash. */
function malformedRawFrame(rand: () => number, t: TrafficTarget): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(t.port, '127.0.0.1')
    let upgraded = false
    const done = (): void => {
      clearTimeout(timer)
      socket.destroy()
      resolve()
    }
    const timer = setTimeout(done, 3000)
    socket.on('error', done)
    socket.on('close', done)
    socket.on('data', (d) => {
      if (!upgraded && d.toString('latin1').startsWith('HTTP/1.1 101')) {
        upgraded = true
        const frames = [
          Buffer.from([0x81, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f]), // unmasked client frame
          Buffer.from([0x83, 0x80, 1, 2, 3, 4]), // reserved opcode
          Buffer.from([0xf1, 0x80, 1, 2, 3, 4]), // RSV bits set
          Buffer.from([0x82, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]), // 2^64-1 length
          Buffer.from([0x89, 0xfe, 0x01, 0x00, 1, 2, 3, 4]), // control frame over 125 bytes
          randomBytes(rand, 16)
        ]
        socket.write(pick(rand, frames))
      }
    })
    socket.on('connect', () => socket.write(httpText(t.port, 'GET /ws HTTP/1.1', { ...upgradeHeaders, Cookie: `featurelens_token_${t.port}=${t.token}` })))
  })
}

/**
 * Sends `count` malformed requests, upgrades and frames to a running host (a few at a time)
 * and records any answer that is a 5xx, carries a stack trace or an internal error.
 */
export async function sendMalformedTraffic(t: TrafficTarget, count: number, seed = 13): Promise<TrafficCounts> {
  const rand = seeded(seed)
  const counts: TrafficCounts = { http: 0, upgrades: 0, wsMessages: 0, wsRawFrames: 0, total: 0, failures: [] }
  const httpCount = Math.floor(count * 0.5)
  const upgradeCount = Math.floor(count * 0.15)
  const rawFrameCount = Math.floor(count * 0.05)
  const messageCount = count - httpCount - upgradeCount - rawFrameCount
  const check = (label: string, text: string, status: number): void => {
    if (status >= 500 || STACK.test(text)) counts.failures.push(`${label}: ${text.slice(0, 300)}`)
  }
  const jobs: (() => Promise<void>)[] = []
  for (let i = 0; i < httpCount; i++) {
    const bytes = malformedHttp(rand, t, i)
    jobs.push(async () => {
      const res = await rawExchange(t.port, bytes, 1000)
      counts.http++
      check(`http #${i} ${String(bytes[0]).slice(0, 60)}`, res.text, res.status)
    })
  }
  for (let i = 0; i < upgradeCount; i++) {
    const text = malformedUpgrade(rand, t)
    jobs.push(async () => {
      const res = await rawExchange(t.port, text, 1000)
      counts.upgrades++
      check(`upgrade #${i} ${text.split('\r\n')[0].slice(0, 60)}`, res.text, res.status)
    })
  }
  for (let i = 0; i < rawFrameCount; i++) {
    jobs.push(async () => {
      await malformedRawFrame(rand, t)
      counts.wsRawFrames++
    })
  }
  const parallel = 32
  for (let i = 0; i < jobs.length; i += parallel) await Promise.all(jobs.slice(i, i + parallel).map((job) => job()))
  counts.wsMessages = await malformedMessages(rand, t, messageCount, counts.failures)
  counts.total = counts.http + counts.upgrades + counts.wsRawFrames + counts.wsMessages
  return counts
}

export interface OversizeCounts {
  http: number
  wsMessages: number
  /** Cases whose answer broke a rule: a 5xx, a stack trace, or an over-cap API body not answered 413. */
  failures: string[]
}

type BodyFraming = 'content-length' | 'chunked' | 'one-huge-chunk' | 'understated-length' | 'overstated-length'
const framings: BodyFraming[] = ['content-length', 'chunked', 'one-huge-chunk', 'understated-length', 'overstated-length']

/** A request whose body is `size` bytes, framed as `framing` says, as raw chunks. */
function bodyRequest(t: TrafficTarget, target: string, headers: Record<string, string>, framing: BodyFraming, size: number): (string | Buffer)[] {
  const piece = 256 * 1024
  const body = (n: number): Buffer[] => {
    const parts: Buffer[] = []
    for (let sent = 0; sent < n; sent += piece) parts.push(Buffer.alloc(Math.min(piece, n - sent), 0x78))
    return parts
  }
  if (framing === 'content-length') return [httpText(t.port, target, { ...headers, 'Content-Length': String(size) }), ...body(size)]
  if (framing === 'understated-length') return [httpText(t.port, target, { ...headers, 'Content-Length': '2' }), ...body(size)]
  if (framing === 'overstated-length') return [httpText(t.port, target, { ...headers, 'Content-Length': String(size * 2) }), ...body(size)]
  const head = httpText(t.port, target, { ...headers, 'Transfer-Encoding': 'chunked' })
  if (framing === 'one-huge-chunk') return [head, `${size.toString(16)}\r\n`, ...body(size), '\r\n0\r\n\r\n']
  return [head, ...body(size).flatMap((b) => [`${b.length.toString(16)}\r\n`, b, '\r\n']), '0\r\n\r\n']
}

/**
 * Sends bodies over the caps in every framing (Content-Length, chunked, one huge chunk, a
 * length that understates or overstates the body) with every content type, to API calls, unknown
 * methods, pages and upgrades, with and without the token; then over-cap WebSocket messages,
 * whole and fragmented. An authenticated over-cap API body must get 413; nothing may get a 5xx.
 */
export async function sendOversizeBodies(t: TrafficTarget, caps: { json: number; binary: number }): Promise<OversizeCounts> {
  const counts: OversizeCounts = { http: 0, wsMessages: 0, failures: [] }
  const auth = { Authorization: `Bearer ${t.token}` }
  const types: [string | undefined, number][] = [
    ['application/json', caps.json + 1],
    ['text/plain', caps.json + 1],
    [undefined, caps.json * 2],
    ['application/octet-stream', caps.binary + 1],
    ['application/octet-stream; charset=x', caps.binary + 64 * 1024]
  ]
  const targets: [string, Record<string, string>, boolean][] = [
    ['POST /api/app.info HTTP/1.1', auth, true],
    ['POST /api/no.such.method HTTP/1.1', auth, true],
    ['POST /api/app.info HTTP/1.1', {}, false],
    ['POST / HTTP/1.1', auth, false],
    ['GET / HTTP/1.1', auth, false],
    ['GET /ws HTTP/1.1', { ...auth, ...upgradeHeaders }, false]
  ]
  for (const [target, headers, api] of targets) {
    for (const [type, size] of types) {
      for (const framing of framings) {
        const all = type ? { ...headers, 'Content-Type': type } : headers
        const res = await rawExchange(t.port, bodyRequest(t, target, all, framing, size), 3000)
        counts.http++
        const label = `${target} ${type ?? '(no type)'} ${framing} ${size} B`
        if (res.status >= 500 || STACK.test(res.text)) counts.failures.push(`${label}: ${res.text.slice(0, 300)}`)
        else if (api && (framing === 'content-length' || framing === 'chunked' || framing === 'one-huge-chunk') && res.status !== 413) counts.failures.push(`${label}: answered ${res.status}, not 413`)
      }
    }
  }
  const overCap: [string, Buffer | string, boolean][] = [
    ['text over the JSON cap', 'x'.repeat(caps.json + 1), false],
    ['binary over the binary cap', Buffer.alloc(caps.binary + 1), true],
    ['fragmented text over the JSON cap', 'x'.repeat(caps.json + 1), false],
    ['fragmented binary over the binary cap', Buffer.alloc(caps.binary + 1), true]
  ]
  for (const [label, data, binary] of overCap) {
    const ws = await openSocket(t)
    const outcome = await new Promise<string>((resolve) => {
      ws.once('message', (reply) => resolve(reply.toString()))
      ws.once('close', (code) => resolve(`closed ${code}`))
      ws.on('error', () => undefined)
      if (!label.startsWith('fragmented')) ws.send(data, { binary })
      else {
        const step = Math.ceil(data.length / 8)
        for (let at = 0; at < data.length; at += step) ws.send(data.slice(at, at + step), { binary, fin: at + step >= data.length })
      }
    })
    counts.wsMessages++
    const expected = binary ? outcome === 'closed 1009' : outcome.includes('"ok":false') && outcome.includes('MiB')
    if (!expected || STACK.test(outcome)) counts.failures.push(`websocket ${label}: ${outcome.slice(0, 200)}`)
    ws.terminate()
  }
  return counts
}

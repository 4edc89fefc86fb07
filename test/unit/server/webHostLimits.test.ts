import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EventBus } from '../../../src-main/api/context'
import { startWebHost, type WebHost } from '../../../src-main/server/webHost'
import { WS_IDLE_CLOSE } from '../../../src-shared/wire'
import { createWebSocketClient } from '../../../src-renderer/src/api/webSocketClient'
import { httpText, rawExchange, upgradeHeaders } from '../../support/rawSocket'

let host: WebHost
const token = 'test-token-0123456789abcdef'
const events = new EventBus()
const IDLE_MS = 800

beforeAll(async () => {
  const rendererDir = mkdtempSync(join(tmpdir(), 'featurelens-renderer-'))
  writeFileSync(join(rendererDir, 'index.html'), '<div id="app"></div>')
  host = await startWebHost({
    host: '127.0.0.1',
    port: 0,
    token,
    rendererDir,
    dispatch: async (method) => {
      if (method === 'slow.analysis') await new Promise((r) => setTimeout(r, 2.5 * IDLE_MS))
      return { method }
    },
    events,
    webSocketIdleMs: IDLE_MS
  })
})
afterAll(async () => {
  await host?.close()
})

const cookie = () => `featurelens_token_${host.port}=${token}`
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function openSocket(): Promise<{ ws: WebSocket; closed: Promise<{ code: number; at: number }>; messages: string[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws`, { headers: { Cookie: cookie() } })
    const messages: string[] = []
    const closed = new Promise<{ code: number; at: number }>((done) => ws.once('close', (code) => done({ code, at: Date.now() })))
    ws.on('message', (data) => messages.push(data.toString()))
    ws.once('open', () => resolve({ ws, closed, messages }))
    ws.once('error', reject)
  })
}

describe('more than one Host header', () => {
  it('is refused with 400 on pages, API calls and upgrades, whichever comes first', async () => {
    const good = `127.0.0.1:${host.port}`
    for (const hosts of [[good, 'evil.example'], ['evil.example', good], [good, good]]) {
      const twice = (requestLine: string, headers: Record<string, string>, body = ''): string =>
        httpText(host.port, requestLine, headers, body).replace(`Host: ${good}\r\n`, hosts.map((h) => `Host: ${h}\r\n`).join(''))
      const page = await rawExchange(host.port, twice('GET / HTTP/1.1', { Cookie: cookie(), Connection: 'close' }))
      expect(page.status, hosts.join(' + ')).toBe(400)
      expect(page.text).toContain('more than one Host header')
      const api = await rawExchange(host.port, twice('POST /api/app.info HTTP/1.1', { Authorization: `Bearer ${token}`, Connection: 'close' }, '{}'))
      expect(api.status, hosts.join(' + ')).toBe(400)
      const upgrade = await rawExchange(host.port, twice('GET /ws HTTP/1.1', { ...upgradeHeaders, Cookie: cookie() }))
      expect(upgrade.status, hosts.join(' + ')).toBe(400)
    }
    const one = await rawExchange(host.port, httpText(host.port, 'POST /api/app.info HTTP/1.1', { Authorization: `Bearer ${token}`, Connection: 'close' }, '{}'))
    expect(one.status).toBe(200)
  })
})

describe('idle WebSockets', () => {
  it('closes an authenticated socket that sends nothing and receives nothing, after the idle limit', async () => {
    const { closed } = await openSocket()
    const opened = Date.now()
    const { code, at } = await closed
    expect(code).toBe(WS_IDLE_CLOSE)
    expect(at - opened).toBeGreaterThanOrEqual(IDLE_MS - 50)
    expect(at - opened).toBeLessThan(IDLE_MS + 1500)
  })

  it('keeps a socket that calls now and then, one waiting for a long answer, and one receiving events', async () => {
    const calling = await openSocket()
    const waiting = await openSocket()
    const watching = await openSocket()
    waiting.ws.send(JSON.stringify({ t: 'call', id: 1, method: 'slow.analysis', params: {} }))
    const started = Date.now()
    while (Date.now() - started < 2.5 * IDLE_MS) {
      calling.ws.send(JSON.stringify({ t: 'call', id: 2, method: 'app.info', params: {} }))
      events.emit('runs.status', { runId: 'r', status: 'running', reason: null })
      await sleep(IDLE_MS / 4)
    }
    for (const s of [calling, waiting, watching]) expect(s.ws.readyState).toBe(WebSocket.OPEN)
    await expect.poll(() => waiting.messages.some((m) => m.includes('"slow.analysis"')), { timeout: 3000 }).toBe(true)
    for (const s of [calling, waiting, watching]) s.ws.close()
  })

  it('the page reconnects after an idle close, so its event listeners keep hearing events', async () => {
    const previous = globalThis.WebSocket
    // The renderer's client in Node: ws, with the cookie a browser would send.
    class BrowserLikeSocket extends WebSocket {
      constructor(url: string) {
        super(url, { headers: { Cookie: cookie() } })
      }
    }
    Object.assign(globalThis, { WebSocket: BrowserLikeSocket })
    try {
      const client = createWebSocketClient(`ws://127.0.0.1:${host.port}/ws`)
      const heard: unknown[] = []
      client.on('runs.status', (payload) => heard.push(payload))
      expect(await client.call('app.info', {})).toMatchObject({ method: 'app.info' })
      await sleep(IDLE_MS * 2.5)
      events.emit('runs.status', { runId: 'after-idle', status: 'running', reason: null })
      await expect.poll(() => heard.length, { timeout: 3000 }).toBe(1)
      expect(await client.call('app.info', {})).toMatchObject({ method: 'app.info' })
    } finally {
      Object.assign(globalThis, { WebSocket: previous })
    }
  })
})

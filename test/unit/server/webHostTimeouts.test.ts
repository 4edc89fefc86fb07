import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EventBus } from '../../../src-main/api/context'
import { startWebHost, type WebHost } from '../../../src-main/server/webHost'
import { httpText, rawExchange } from '../../support/rawSocket'

let host: WebHost
const token = 'test-token-0123456789abcdef'

beforeAll(async () => {
  const rendererDir = mkdtempSync(join(tmpdir(), 'featurelens-renderer-'))
  writeFileSync(join(rendererDir, 'index.html'), '<div id="app"></div>')
  host = await startWebHost({
    host: '127.0.0.1',
    port: 0,
    token,
    rendererDir,
    dispatch: async (method) => {
      if (method === 'slow.analysis') await new Promise((r) => setTimeout(r, 2500))
      return { method }
    },
    events: new EventBus(),
    headersTimeoutMs: 600,
    requestTimeoutMs: 1200
  })
})
afterAll(async () => {
  await host?.close()
})

describe('web host timeouts', () => {
  it('drops a client that never finishes its headers (slowloris)', async () => {
    const started = Date.now()
    const res = await rawExchange(host.port, [`GET / HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nX-Slow: `], 10_000)
    expect(res.closed).toBe(true)
    expect(Date.now() - started).toBeLessThan(4000)
  })

  it('drops a request whose body trickles in slower than the request timeout', async () => {
    const headers = httpText(host.port, 'POST /api/app.info HTTP/1.1', { Authorization: `Bearer ${token}`, 'Content-Length': '100' })
    const started = Date.now()
    const res = await rawExchange(host.port, [headers, '{"a":'], 10_000)
    expect(res.closed).toBe(true)
    expect(Date.now() - started).toBeLessThan(5000)
    expect(res.status === 0 || res.status === 408).toBe(true)
  })

  it('lets a response take longer than the request timeout: only receiving the request is timed', async () => {
    const res = await rawExchange(host.port, httpText(host.port, 'POST /api/slow.analysis HTTP/1.1', { Authorization: `Bearer ${token}`, Connection: 'close' }, '{}'), 10_000)
    expect(res.status).toBe(200)
    expect(res.text).toContain('"method":"slow.analysis"')
  })

  it('still answers a prompt request', async () => {
    const res = await rawExchange(host.port, httpText(host.port, 'POST /api/app.info HTTP/1.1', { Authorization: `Bearer ${token}`, Connection: 'close' }, '{}'))
    expect(res.status).toBe(200)
    expect(res.text).toContain('"method":"app.info"')
  })
})

import { statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { rawRequest } from '../support/http'
import { startServe, type ServedApp } from '../support/serve'

let app: ServedApp

beforeAll(async () => {
  app = await startServe()
})
afterAll(async () => {
  await app?.stop()
})

const host = () => `127.0.0.1:${app.port}`
const bearer = () => ({ Authorization: `Bearer ${app.token}` })

function openSocket(headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${app.port}/ws`, { headers })
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused with ${res.statusCode}`)))
    ws.once('error', reject)
  })
}

function callOverSocket(ws: WebSocket, method: string, params: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }> {
  return new Promise((resolve) => {
    const id = Math.floor(Math.random() * 1e9)
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString())
      if (message.id === id) resolve(message)
    })
    ws.send(JSON.stringify({ t: 'call', id, method, params }))
  })
}

describe('featurelens serve', () => {
  it('binds to 127.0.0.1 and prints a URL with a token', () => {
    expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/)
  })

  it('refuses GET / without the token', async () => {
    const res = await rawRequest(app.port, { path: '/' })
    expect(res.status).toBe(401)
    expect(res.body).not.toContain('<div id="app">')
  })

  it('serves the UI with the token, sets an HttpOnly cookie, a CSP and nosniff', async () => {
    const res = await rawRequest(app.port, { path: `/?token=${app.token}` })
    expect(res.status).toBe(200)
    expect(res.body).toContain('<div id="app">')
    const cookie = String(res.headers['set-cookie'])
    expect(cookie).toContain('HttpOnly')
    expect(cookie).toContain('SameSite=Strict')
    expect(res.headers['content-security-policy']).toContain("script-src 'self'")
    expect(res.headers['x-content-type-options']).toBe('nosniff')

    const name = cookie.split('=')[0]
    const again = await rawRequest(app.port, { path: '/', headers: { Cookie: `${name}=${app.token}` } })
    expect(again.status).toBe(200)
  })

  it('refuses a wrong token', async () => {
    const res = await rawRequest(app.port, { path: '/?token=not-the-token' })
    expect(res.status).toBe(401)
  })

  it('refuses Host headers that are not loopback names (DNS rebinding)', async () => {
    const res = await rawRequest(app.port, { path: `/?token=${app.token}`, headers: { Host: 'evil.example' } })
    expect(res.status).toBe(403)
    const withPort = await rawRequest(app.port, { path: `/?token=${app.token}`, headers: { Host: `evil.example:${app.port}` } })
    expect(withPort.status).toBe(403)
    const ok = await rawRequest(app.port, { path: `/?token=${app.token}`, headers: { Host: `localhost:${app.port}` } })
    expect(ok.status).toBe(200)
  })

  it('refuses a WebSocket upgrade from a foreign Origin, accepts its own', async () => {
    await expect(openSocket({ ...bearer(), Origin: 'http://evil.example' })).rejects.toThrow(/403/)
    await expect(openSocket({ Origin: `http://${host()}` })).rejects.toThrow(/401/)
    const ws = await openSocket({ ...bearer(), Origin: `http://${host()}` })
    const reply = await callOverSocket(ws, 'app.info', {})
    expect(reply.ok).toBe(true)
    expect((reply.value as { shell: string }).shell).toBe('web')
    ws.close()
  })

  it('refuses cross-origin API posts', async () => {
    const res = await rawRequest(app.port, { path: '/api/app.info', method: 'POST', headers: { ...bearer(), Origin: 'http://evil.example', 'Content-Type': 'application/json' }, body: '{}' })
    expect(res.status).toBe(403)
  })

  it('answers an invalid payload with a validation error naming the field, and keeps serving', async () => {
    const res = await rawRequest(app.port, { path: '/api/backend.select', method: 'POST', headers: { ...bearer(), 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'quantum' }) })
    expect(res.status).toBe(400)
    const error = JSON.parse(res.body)
    expect(error.code).toBe('invalid_request')
    expect(error.message).toContain('name')

    const notJson = await rawRequest(app.port, { path: '/api/app.info', method: 'POST', headers: { ...bearer(), 'Content-Type': 'application/json' }, body: '{not json' })
    expect(notJson.status).toBe(400)
    expect(JSON.parse(notJson.body).code).toBe('invalid_request')

    const unknown = await rawRequest(app.port, { path: '/api/nope.nothing', method: 'POST', headers: bearer(), body: '{}' })
    expect(unknown.status).toBe(404)
    expect(JSON.parse(unknown.body).code).toBe('unknown_method')

    const ws = await openSocket({ ...bearer(), Origin: `http://${host()}` })
    const bad = await callOverSocket(ws, 'backend.select', { name: 42 })
    expect(bad.ok).toBe(false)
    expect(bad.error?.code).toBe('invalid_request')
    ws.send('garbage that is not json')
    const still = await callOverSocket(ws, 'app.info', {})
    expect(still.ok).toBe(true)
    ws.close()

    const info = await rawRequest(app.port, { path: '/api/app.info', method: 'POST', headers: bearer(), body: '{}' })
    expect(info.status).toBe(200)
    expect(JSON.parse(info.body).workspace.dir).toBe(app.workspace)
  })

  it('serves only its own files: no path traversal', async () => {
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/assets/../../package.json', '/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/..\\package.json', '/index.html%00.js']) {
      const res = await rawRequest(app.port, { path, headers: bearer() })
      expect(res.status, path).not.toBe(200)
      expect(res.body).not.toContain('"name": "featurelens"')
    }
  })

  it('stores the token in a 0600 file in the workspace', () => {
    const mode = statSync(join(app.workspace, 'webhost.token')).mode & 0o777
    expect(mode).toBe(0o600)
  })
})

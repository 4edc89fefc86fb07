import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawRequest } from '../support/http'
import { MAX_BINARY_REQUEST_BYTES, MAX_TEXT_REQUEST_BYTES } from '../../src-shared/wire'
import { sendMalformedTraffic, sendOversizeBodies } from '../support/malformedTraffic'
import { startServe, type ServedApp } from '../support/serve'

let app: ServedApp

beforeAll(async () => {
  app = await startServe()
}, 120_000)
afterAll(async () => {
  await app?.stop()
})

describe('featurelens serve under malformed traffic', () => {
  it('answers 1,200 malformed requests, upgrades and frames without a crash, a 5xx or a stack trace', async () => {
    const started = Date.now()
    const counts = await sendMalformedTraffic({ port: app.port, token: app.token }, 1200)
    console.log(
      `malformed traffic: ${counts.total} cases in ${((Date.now() - started) / 1000).toFixed(1)} s: ${counts.http} HTTP requests, ${counts.upgrades} upgrades, ` +
        `${counts.wsRawFrames} invalid WebSocket frames, ${counts.wsMessages} malformed messages; ${counts.failures.length} failures`
    )
    expect(counts.failures).toEqual([])
    expect(counts.total).toBeGreaterThanOrEqual(1200)
    expect(app.process.exitCode, app.output()).toBeNull()
    const still = await rawRequest(app.port, { path: '/api/app.info', method: 'POST', headers: { Authorization: `Bearer ${app.token}` }, body: '{}' })
    expect(still.status).toBe(200)
    expect(app.output()).not.toMatch(/\n\s+at |unexpected error/)
  }, 120_000)

  it('answers bodies over the caps in every framing and content type, and over-cap WebSocket messages, then still serves', async () => {
    const started = Date.now()
    const counts = await sendOversizeBodies({ port: app.port, token: app.token }, { json: MAX_TEXT_REQUEST_BYTES, binary: MAX_BINARY_REQUEST_BYTES })
    console.log(`oversize bodies: ${counts.http} HTTP requests and ${counts.wsMessages} WebSocket messages in ${((Date.now() - started) / 1000).toFixed(1)} s; ${counts.failures.length} failures`)
    expect(counts.failures).toEqual([])
    expect(app.process.exitCode, app.output()).toBeNull()
    const still = await rawRequest(app.port, { path: '/api/app.info', method: 'POST', headers: { Authorization: `Bearer ${app.token}` }, body: '{}' })
    expect(still.status).toBe(200)
    expect(app.output()).not.toMatch(/\n\s+at |unexpected error|TypeError/)
  }, 240_000)
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawRequest } from '../support/http'
import { sendMalformedTraffic } from '../support/malformedTraffic'
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
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeResponsiveness, measureDuringAnalysis, percentile, workspaceForLongAnalysis } from '../support/longAnalysis'
import { startServe, type ServedApp } from '../support/serve'

let app: ServedApp
let runs: { a: string; b: string }

beforeAll(async () => {
  const made = await workspaceForLongAnalysis({ faces: 300, epochs: 16 })
  runs = made
  app = await startServe({ workspace: made.workspace })
}, 300_000)
afterAll(async () => {
  await app?.stop()
})

describe('the host while it computes a long analysis', () => {
  it('answers another client and serves files meanwhile, and a cancel ends the analysis', async () => {
    const measured = await measureDuringAnalysis(app.port, app.token, runs, 2000)
    console.log(`during compare.ckaEpochs: ${describeResponsiveness(measured)}`)
    expect(measured.api.length).toBeGreaterThan(3)
    // The analysis runs in the host's analysis worker, so the main thread answers at once. The
    // figures come from bench/host-responsiveness.ts; these bounds only catch a host that blocks again.
    expect(percentile(measured.api, 0.5)).toBeLessThan(200)
    expect(percentile(measured.files, 0.5)).toBeLessThan(200)
    expect(measured.result).toMatchObject({ ok: false, error: { code: 'cancelled' } })
    expect(measured.cancelMs).toBeLessThan(1000)
  }, 300_000)
})

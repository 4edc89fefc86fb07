import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawRequest } from '../support/http'
import { startServe, type ServedApp } from '../support/serve'

let app: ServedApp

beforeAll(async () => {
  app = await startServe()
}, 120_000)
afterAll(async () => {
  await app?.stop()
})

const call = (method: string, body: unknown) =>
  rawRequest(app.port, { path: `/api/${method}`, method: 'POST', headers: { Authorization: `Bearer ${app.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) })

/** The host process's resident memory, in MiB. */
const rssMb = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${app.process.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024

describe.skipIf(process.platform !== 'linux')('a large figure export on the web host', () => {
  it('does not hold up the analyses meanwhile, and gives its memory back when done', async () => {
    // Warm the analysis worker, then note the resting size.
    expect((await call('figures.list', {})).status).toBe(200)
    const before = rssMb()
    const points = 40_000
    const spec = { kind: 'chart', title: 'many points', option: { xAxis: { type: 'value' }, yAxis: { type: 'value' }, series: [{ type: 'scatter', symbolSize: 3, data: Array.from({ length: points }, (_, i) => [i, i % 97]) }] } }
    const started = Date.now()
    let finished = 0
    const exported = call('figures.export', { spec, options: { format: 'png', dpi: 300, widthIn: 8 } }).finally(() => (finished = Date.now()))
    // Meanwhile: a call the analysis worker answers, again and again.
    const waits: number[] = []
    let peak = before
    await new Promise((r) => setTimeout(r, 300))
    while (!finished) {
      const t = Date.now()
      expect((await call('figures.list', {})).status).toBe(200)
      waits.push(Date.now() - t)
      peak = Math.max(peak, rssMb())
      await new Promise((r) => setTimeout(r, 100))
    }
    const res = await exported
    expect(res.status, res.body.slice(0, 300)).toBe(200)
    const exportMs = finished - started
    await new Promise((r) => setTimeout(r, 3000))
    const after = rssMb()
    console.log(
      `export of ${points} points: ${exportMs} ms; figures.list meanwhile: ${waits.length} calls, longest ${Math.max(...waits)} ms; ` +
        `host RSS ${before.toFixed(0)} MiB before, ${peak.toFixed(0)} MiB peak, ${after.toFixed(0)} MiB 3 s after`
    )
    expect(waits.length).toBeGreaterThan(2)
    expect(Math.max(...waits)).toBeLessThan(Math.max(2000, exportMs / 3))
    expect(after - before).toBeLessThan(Math.max(100, (peak - before) / 2))
  }, 240_000)
})

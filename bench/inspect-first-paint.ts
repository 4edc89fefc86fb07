/**
 * Request-to-first-paint of a 4096×4096 weight map in Chromium (target < 300 ms), read from the
 * performance marks the weight map sets (`inspect:weights`: from the request to the frame that
 * shows it). Serves a workspace with a 4096×4096 layer through `featurelens serve` and opens
 * the inspector's Weights tab in Playwright. Prints figures; not a test.
 *
 * Epochs 1… get their pyramids the way the host prepares them while training runs (on each
 * stored epoch); epoch 0 has none, like a run trained from the CLI and never viewed.
 *
 *   npx electron-vite build && node --import tsx bench/inspect-first-paint.ts [--epochs N] [--repeat N]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { Page } from 'playwright-core'
import { openApi } from '../src-main/api/openApi'
import { launchChromium } from '../test/support/chromium'
import { startServe } from '../test/support/serve'
import { BIG, makeBigLayerRun } from './support/bigLayerRun'

const { values } = parseArgs({ options: { epochs: { type: 'string', default: '4' }, repeat: { type: 'string', default: '5' } } })
const EPOCHS = Math.max(3, Number(values.epochs))
const REPEAT = Number(values.repeat)

/** Waits for the n-th `inspect:weights` measure and returns its duration. */
async function nthMeasure(page: Page, n: number): Promise<number> {
  await page.waitForFunction((k) => performance.getEntriesByName('inspect:weights', 'measure').length >= k, n, { timeout: 120_000 })
  return page.evaluate((k) => performance.getEntriesByName('inspect:weights', 'measure')[k - 1].duration, n)
}

async function showEpoch(page: Page, epoch: number, measures: number): Promise<number> {
  await page.getByTestId('inspect-epoch-slider').fill(String(epoch))
  return nthMeasure(page, measures)
}

function summary(label: string, times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b)
  return `  ${label.padEnd(62)} median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms (min ${sorted[0].toFixed(0)}, max ${sorted[sorted.length - 1].toFixed(0)}, n=${times.length})`
}

/** Emits what a training job's commit makes the host emit, and waits for the pyramids to be stored. */
async function preparePyramids(dir: string, runId: string, epochs: number[]): Promise<void> {
  const api = openApi({ workspace: dir, shell: 'web' })
  const count = () => (api.context.db.prepare(`SELECT count(*) AS n FROM analysis_cache WHERE kind = 'inspect.pyramid'`).get() as { n: number }).n
  const none = { trainLoss: null, trainAccuracy: null, valLoss: null, valAccuracy: null, testLoss: null, testAccuracy: null, imagesPerSecond: null, durationMs: null }
  for (const epoch of epochs) api.context.events.emit('runs.epoch', { runId, metrics: { epoch, ...none } })
  // fc1 (64×4096) is below the pyramid threshold; fc2 (4096×4096) gets one per epoch.
  while (count() < epochs.length) await new Promise((resolve) => setTimeout(resolve, 100))
  api.close()
}

async function main(): Promise<void> {
  console.log(`inspector first paint: node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), load ${loadavg()[0].toFixed(1)}`)
  const dir = mkdtempSync(join(tmpdir(), 'fl-bench-paint-'))
  const { runId } = await makeBigLayerRun(dir, EPOCHS)
  const prepared = Array.from({ length: EPOCHS - 1 }, (_, k) => k + 1)
  await preparePyramids(dir, runId, prepared)
  const app = await startServe({ workspace: dir })
  const browser = await launchChromium()
  const fromPyramid: number[] = []
  const noPyramid: number[] = []
  const inMemory: number[] = []
  try {
    for (let k = 0; k < REPEAT; k++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
      // The Weights tab opens on the largest weight, fc2/kernel, at the last epoch.
      await page.goto(`${app.url}#/runs/${runId}/inspect?tab=weights`)
      const title = await page.getByTestId('weight-map').first().locator('strong').first().textContent()
      if (!title?.startsWith('fc2/kernel')) throw new Error(`the weight map shows "${title}", not fc2/kernel`)
      ;(k === 0 ? fromPyramid : inMemory).push(await nthMeasure(page, 1))
      let n = 1
      for (const epoch of prepared.slice(0, -1)) (k === 0 ? fromPyramid : inMemory).push(await showEpoch(page, epoch, ++n))
      ;(k === 0 ? noPyramid : inMemory).push(await showEpoch(page, 0, ++n))
      await page.reload()
      inMemory.push(await nthMeasure(page, 1))
      await page.close()
    }
    console.log(`  ${BIG}×${BIG} fc2/kernel, viewport 1280×900, ${EPOCHS} stored epochs, ${REPEAT} rounds`)
    console.log(summary('pyramid stored with the epoch, first request of the host', fromPyramid))
    console.log(summary('no pyramid yet: reads 64 MB and builds it (first view ever)', noPyramid))
    console.log(summary('viewed before in this host (pyramid in memory)', inMemory))
  } finally {
    await browser.close()
    await app.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()

/**
 * Request-to-first-paint of a 4096×4096 weight map in Chromium (target < 300 ms), read from the
 * performance marks the weight map sets (`inspect:weights`: from the request to the frame that
 * shows it). Serves a workspace with a 4096×4096 layer through `featurelens serve` and opens
 * the inspector's Weights tab in Playwright. Prints figures; not a test.
 *
 * Epochs 1… get their pyramids the way the training job stores them with each epoch; epoch 0
 * has none, like a run stored before the job kept pyramids, never viewed.
 *
 *   npx electron-vite build && node --import tsx bench/inspect-first-paint.ts [--epochs N] [--repeat N]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { Page } from 'playwright-core'
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

async function main(): Promise<void> {
  console.log(`inspector first paint: node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), load ${loadavg()[0].toFixed(1)}`)
  const dir = mkdtempSync(join(tmpdir(), 'fl-bench-paint-'))
  const prepared = Array.from({ length: EPOCHS - 1 }, (_, k) => k + 1)
  const { runId } = await makeBigLayerRun(dir, EPOCHS, prepared)
  const app = await startServe({ workspace: dir })
  const browser = await launchChromium()
  const fromPyramid: number[] = []
  const noPyramid: number[] = []
  const inMemory: number[] = []
  try {
    for (let k = 0; k < REPEAT; k++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
      // The Weights tab opens on fc1 (its statistics are quick); then fc2/kernel at the last epoch is chosen.
      await page.goto(`${app.url}#/runs/${runId}/inspect?tab=weights`)
      await nthMeasure(page, 1)
      await page.getByTestId('weight-select').selectOption({ label: `fc2/kernel [${BIG}×${BIG}]` })
      const title = await page.getByTestId('weight-map').first().locator('strong').first().textContent()
      if (!title?.startsWith('fc2/kernel')) throw new Error(`the weight map shows "${title}", not fc2/kernel`)
      ;(k === 0 ? fromPyramid : inMemory).push(await nthMeasure(page, 2))
      let n = 2
      for (const epoch of prepared.slice(0, -1)) (k === 0 ? fromPyramid : inMemory).push(await showEpoch(page, epoch, ++n))
      ;(k === 0 ? noPyramid : inMemory).push(await showEpoch(page, 0, ++n))
      await page.reload()
      await nthMeasure(page, 1)
      await page.getByTestId('weight-select').selectOption({ label: `fc2/kernel [${BIG}×${BIG}]` })
      inMemory.push(await nthMeasure(page, 2))
      await page.close()
    }
    console.log(`  ${BIG}×${BIG} fc2/kernel, viewport 1280×900, ${EPOCHS} stored epochs, ${REPEAT} rounds`)
    console.log(summary('pyramid stored by the job with the epoch, first request', fromPyramid))
    console.log(summary('no pyramid (a run stored before): reads 64 MB, one pass', noPyramid))
    console.log(summary('viewed before in this host (pyramid in memory)', inMemory))
  } finally {
    await browser.close()
    await app.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()

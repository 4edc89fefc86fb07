import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TrainConfig } from '../../src-shared/run'
import { initBackend } from '../../src-main/engine/backend/select'
import { buildModel } from '../../src-main/engine/models/index'
import { openWorkspaceDb } from '../../src-main/engine/store/database'
import { launchChromium } from '../support/chromium'
import { startServe, type ServedApp } from '../support/serve'
import { driftingWeights, storeRun } from '../support/storedRun'

let app: ServedApp
let browser: Browser
let runId: string
const workspace = mkdtempSync(join(tmpdir(), 'featurelens-explain-'))

beforeAll(async () => {
  // A real LeNet-5 stored at two epochs on the bundled MNIST (no training: the page is under test).
  await initBackend()
  const db = openWorkspaceDb(join(workspace, 'featurelens.sqlite'))
  const config = TrainConfig.parse({ dataset: 'mnist', model: { name: 'lenet5' }, epochs: 1 })
  runId = storeRun(db, await buildModel(config.model, { height: 28, width: 28, channels: 1 }, 10, 'softmax', 3), 2, driftingWeights, config)
  db.close()
  app = await startServe({ workspace })
  browser = await launchChromium()
}, 180_000)
afterAll(async () => {
  await browser?.close()
  await app?.stop()
  rmSync(workspace, { recursive: true, force: true })
})

describe('the Explain page in Chromium', () => {
  it('computes an occlusion map and a top-9 grid for a run and shows them', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(err.message))
    page.on('console', (msg) => {
      // The browser asks for /favicon.ico on its own; the web host has none (not this page's doing).
      if (msg.type() === 'error' && !msg.location().url.endsWith('/favicon.ico')) errors.push(`${msg.text()} ${msg.location().url}`)
    })
    await page.goto(`${app.url}#/explain?run=${runId}`)
    await expect.poll(() => page.getByTestId('explain-epoch').inputValue(), { timeout: 30_000 }).toBe('1')

    // Occlusion: a 7 px square moved 3 px at a time over test image #0, 8×8 positions.
    await page.getByTestId('occlusion-patch').fill('7')
    await page.getByTestId('occlusion-stride').fill('3')
    await page.getByTestId('occlusion-compute').click()
    await page.getByTestId('occlusion-map-probability').locator('canvas').waitFor({ timeout: 60_000 })
    await page.getByTestId('occlusion-map-activation').locator('canvas').waitFor()
    await page.getByTestId('occlusion-map-label').locator('canvas').waitFor()
    expect(await page.getByTestId('occlusion-summary').textContent()).toContain('8×8 positions of a 7 px square, stride 3')
    expect(await page.getByTestId('occlusion-legend').locator('li').count()).toBeGreaterThan(0)
    const size = await page.getByTestId('occlusion-map-probability').locator('canvas').evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height])
    expect(size).toEqual([8, 8])
    await page.screenshot({ path: join(workspace, '..', 'explain-occlusion.png') })

    // Top 9 of channels 0–3 of the deepest conv layer over 40 test images, at both epochs.
    await page.getByTestId('explain-tab-top9').click()
    await page.getByTestId('top9-sample').fill('40')
    await page.locator('[data-testid="explain-top9"] input[type="checkbox"][value="0"]').check()
    await page.getByTestId('top9-compute').click()
    await page.getByTestId('top9-grid').waitFor({ timeout: 120_000 })
    expect(await page.getByTestId('top9-grid').locator('thead th').allTextContents()).toEqual(['channel', 'epoch 0', 'epoch 1'])
    expect(await page.getByTestId('top9-patches').count()).toBe(8)
    await page.getByTestId('top9-projections').first().locator('canvas').waitFor()
    expect(await page.getByTestId('top9-projection-label').textContent()).toBe('the deconvnet')
    await page.getByTestId('top9-projection').selectOption('guided')
    expect(await page.getByTestId('top9-projection-label').textContent()).toBe('guided backpropagation')
    expect(await page.getByTestId('top9-evolution-link').getAttribute('href')).toContain(`/runs/${runId}/inspect?tab=evolution&layer=`)
    await page.screenshot({ path: join(workspace, '..', 'explain-top9.png'), fullPage: true })
    expect(errors).toEqual([])
    await page.close()
  }, 240_000)
})

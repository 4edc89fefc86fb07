import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../support/chromium'
import { trainEarlyExitRun } from '../support/earlyExitRun'
import { startServe, type ServedApp } from '../support/serve'

let app: ServedApp
let browser: Browser
let runId: string

beforeAll(async () => {
  // The shared tiny LeNet-5 MNIST run (half of each class, capped): the rest is the query set.
  const { api, run } = await trainEarlyExitRun()
  runId = run.id
  const workspace = api.context.workspace.dir
  api.close()
  app = await startServe({ workspace })
  browser = await launchChromium()
}, 300_000)
afterAll(async () => {
  await browser?.close()
  await app?.stop()
})

async function openPage(path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
  const errors: string[] = []
  page.on('pageerror', (err) => errors.push(err.message))
  // Console errors fail the test; a failed load is reported by its URL instead (the browser's own
  // favicon request is the one 404 that is not the app's).
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()))
  page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && errors.push(`${r.status()} ${r.url()}`))
  await page.goto(app.url + path)
  return { page, errors }
}

describe('the Early exit page in Chromium', () => {
  it('runs the analysis for a run and shows the sweep chart and the sentence, then serves it from the cache', async () => {
    const { page, errors } = await openPage(`#/early-exit?run=${runId}`)
    await page.getByTestId('ee-start').waitFor({ timeout: 30_000 })
    // A threshold that is not a number is named and stops the start.
    await page.getByTestId('ee-threshold').fill('abc')
    expect(await page.getByTestId('ee-threshold-error').textContent()).toContain('threshold "abc" is not a number')
    expect(await page.getByTestId('ee-start').isDisabled()).toBe(true)
    await page.getByTestId('ee-threshold').fill('')
    await page.getByTestId('ee-queries').fill('80')
    await page.getByTestId('ee-start').click()
    await page.getByTestId('ee-sweep-chart').locator('canvas').waitFor({ timeout: 180_000 })
    const sentence = (await page.getByTestId('ee-sentence').textContent()) ?? ''
    expect(sentence).toMatch(/^(On this run early exit is [\d.]+× faster at [−+±][\d.]+ pt accuracy|Early exit is slower here)/)
    await page.getByTestId('ee-hitrate-chart').locator('canvas').waitFor()
    await page.getByTestId('ee-split-chart').locator('canvas').waitFor()
    expect(await page.getByTestId('ee-table').textContent()).toContain('class centroids')
    const shots = process.env.FEATURELENS_SCREENSHOTS
    if (shots) {
      await page.screenshot({ path: `${shots}/early-exit.png` })
      await page.getByTestId('ee-results').screenshot({ path: `${shots}/early-exit-results.png` })
    }

    // Reopening the page shows the stored result without recomputing.
    await page.reload()
    await page.getByTestId('ee-sweep-chart').locator('canvas').waitFor({ timeout: 30_000 })
    expect(await page.getByTestId('ee-sentence').textContent()).toBe(sentence)
    expect(errors).toEqual([])
    await page.close()
  }, 300_000)

  it('trains a model on feature maps and one on images from the page and compares them in one table', async () => {
    const { page, errors } = await openPage(`#/early-exit?run=${runId}`)
    await page.getByTestId('fm-train').waitFor({ timeout: 30_000 })
    await page.getByTestId('fm-class-a').selectOption('3')
    await page.getByTestId('fm-class-b').selectOption('8')
    await page.getByTestId('fm-layer').selectOption('c3')
    await page.getByTestId('fm-train').click()
    await page.getByTestId('fm-table').waitFor({ timeout: 180_000 })
    const table = (await page.getByTestId('fm-table').textContent()) ?? ''
    expect(table).toContain('c3 feature maps')
    expect(table).toContain('images')
    expect(await page.getByTestId('fm-sentence').textContent()).toMatch(/3 vs 8/)
    expect(errors).toEqual([])
    await page.close()
  }, 300_000)
})

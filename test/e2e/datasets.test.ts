import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { useServedBrowser } from '../support/servedBrowser'

const session = useServedBrowser()

async function sampleImagesLoaded(page: Page): Promise<number> {
  return page.getByTestId('sample-grid').locator('img').evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0).length)
}

describe('datasets in the UI', () => {
  it('opens the bundled MNIST with its histogram and sample grid', async () => {
    const page = await session.browser.newPage()
    await page.goto(`${session.app.url}#/datasets`)
    await page.getByTestId('open-mnist').click()
    await expect.poll(() => page.getByTestId('dataset-splits').textContent(), { timeout: 60_000 }).toContain('60,000')
    expect(await page.getByTestId('dataset-splits').textContent()).toContain('10,000')
    expect(await page.getByTestId('dataset-shape').textContent()).toContain('28×28×1')
    // The histogram is drawn (ECharts canvas) and the grid shows real decoded thumbnails.
    await page.getByTestId('class-histogram').locator('canvas').first().waitFor()
    await expect.poll(() => sampleImagesLoaded(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(20)
    await page.close()
  })

  it('generates the synthetic faces, opens them as the CelebA layout, and switches the label', async () => {
    const page = await session.browser.newPage()
    await page.goto(`${session.app.url}#/datasets`)
    const synth = page.getByTestId('synthetic-faces')
    await synth.locator('input').first().fill('120')
    await page.getByTestId('generate-synthetic').click()
    await expect.poll(() => page.getByTestId('dataset-format').textContent(), { timeout: 120_000 }).toContain('CelebA')
    await page.getByTestId('attribute-rates').locator('canvas').first().waitFor()
    await page.getByTestId('class-histogram').locator('canvas').first().waitFor()
    await expect.poll(() => sampleImagesLoaded(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(4)
    await page.getByTestId('dataset-label').selectOption('Male')
    await expect.poll(() => page.getByTestId('sample-grid').textContent(), { timeout: 30_000 }).toContain('Male')
    await page.close()
  }, 180_000)

  it('shows a clear message for a folder that is not a dataset', async () => {
    const page = await session.browser.newPage()
    await page.goto(`${session.app.url}#/datasets`)
    await page.getByTestId('dataset-path').fill(session.app.workspace)
    await page.getByTestId('dataset-path').press('Enter')
    // The message shows where the user looks, in the detail pane, instead of "Open a dataset folder…".
    const error = page.getByTestId('dataset-error')
    await expect.poll(() => error.textContent(), { timeout: 30_000 }).toContain(session.app.workspace)
    expect(await error.textContent()).not.toMatch(/\bat \w+ \(|Error:/)
    expect(await page.getByTestId('dataset-detail').count()).toBe(0)
    expect(await page.locator('main.main').textContent()).not.toContain('Open a dataset folder')
    await page.close()
  })
})

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Download, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { TrainConfig } from '../../src-shared/run'
import { openWorkspaceDb } from '../../src-main/engine/store/database'
import { commitEpoch } from '../../src-main/engine/store/epochStore'
import { createRun } from '../../src-main/engine/store/runStore'
import { pngChunks } from '../../src-main/engine/figures/png'
import { parseSvg, pdfText } from '../support/parseFiles'
import { useServedBrowser } from '../support/servedBrowser'
import { tempDir } from '../support/workspace'

let runId = ''

/** A workspace with one finished run's curves (metrics and batch losses of three epochs). */
function workspaceWithCurves(): string {
  const dir = tempDir('fl-figures-')
  const db = openWorkspaceDb(join(dir, 'featurelens.sqlite'))
  runId = createRun(db, TrainConfig.parse({ dataset: 'mnist', model: { name: 'minimal' }, epochs: 3 }))
  for (let epoch = 1; epoch <= 3; epoch++) {
    const metrics = { epoch, trainLoss: 1.2 / epoch, trainAccuracy: 0.6 + 0.1 * epoch, valLoss: 1.3 / epoch, valAccuracy: 0.55 + 0.1 * epoch, testLoss: 1.35 / epoch, testAccuracy: 0.5 + 0.1 * epoch, imagesPerSecond: 500, durationMs: 1000 }
    const batchLosses = Float32Array.from({ length: 20 }, (_, i) => 1.5 / epoch - i * 0.01)
    commitEpoch(db, runId, { metrics, batchLosses, weights: [], optimizer: [] })
  }
  db.prepare(`UPDATE runs SET status = 'completed' WHERE id = ?`).run(runId)
  db.close()
  return dir
}

const session = useServedBrowser(workspaceWithCurves)

async function saved(download: Download): Promise<Buffer> {
  const path = await download.path()
  return readFileSync(path)
}

function watchErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('pageerror', (err) => errors.push(err.message))
  page.on('console', (msg) => {
    // The browser's own favicon request is not the page's doing.
    if (msg.type() === 'error' && !msg.location().url.endsWith('/favicon.ico')) errors.push(`${msg.text()} ${msg.location().url}`)
  })
  return errors
}

describe('figure export and the poster composer in Chromium', () => {
  it('exports a chart from the run view, adds two figures to the set, composes and exports them', async () => {
    // The dark theme (slides), where the validation and test lines used to fade into the background.
    const context = await session.browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 950 }, colorScheme: 'dark' })
    const page = await context.newPage()
    const errors = watchErrors(page)
    await page.goto(`${session.app.url}#/runs/${runId}`)
    const loss = page.getByTestId('loss-chart')
    // The open export menu (it is placed on <body>, over the figure).
    const menu = page.getByTestId('figure-export-menu')
    await loss.locator('canvas').first().waitFor({ timeout: 30_000 })

    // SVG of the loss chart: legend entries and axis titles as text.
    await loss.hover()
    await loss.getByTestId('figure-export').click()
    await menu.getByTestId('export-format').selectOption('svg')
    await page.screenshot({ path: join(session.app.workspace, 'run-view.png') })
    const [svgDownload] = await Promise.all([page.waitForEvent('download'), menu.getByTestId('export-download').click()])
    expect(svgDownload.suggestedFilename()).toBe('loss.svg')
    const svgText = (await saved(svgDownload)).toString('utf8')
    const texts = parseSvg(svgText)
    expect(texts).toEqual(expect.arrayContaining(['Loss', 'batch loss', 'validation loss', 'batch', 'loss']))
    // The browser opens the file on its own (no app CSS, no external references): 6 in at 96 px per inch.
    const opened = await page.evaluate(async (svg) => {
      const img = new Image()
      img.src = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }))
      await img.decode()
      return img.naturalWidth
    }, svgText)
    expect(opened).toBe(576)

    // PNG at 300 DPI, 4 inches: 1200 px with pHYs.
    await loss.getByTestId('figure-export').click()
    await menu.getByTestId('export-format').selectOption('png')
    await menu.getByTestId('export-width').fill('4')
    const [pngDownload] = await Promise.all([page.waitForEvent('download'), menu.getByTestId('export-download').click()])
    const png = await saved(pngDownload)
    expect(png.readUInt32BE(16)).toBe(1200)
    expect(pngChunks(png).find((c) => c.type === 'pHYs')?.data.readUInt32BE(0)).toBe(11811)

    // Two figures into the set.
    await loss.getByTestId('figure-export').click()
    await menu.getByTestId('export-add-to-set').click()
    await expect.poll(() => page.getByTestId('notice').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('Added “Loss”')]))
    const accuracy = page.getByTestId('accuracy-chart')
    await accuracy.hover()
    await accuracy.getByTestId('figure-export').click()
    await menu.getByTestId('export-add-to-set').click()
    await expect.poll(() => page.getByTestId('notice').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('Added “Accuracy”')]))

    // Compose them on the Figures page and export the composition as PDF.
    await page.goto(`${session.app.url}#/figures`)
    await expect.poll(() => page.getByTestId('saved-figure').count(), { timeout: 20_000 }).toBe(2)
    await page.getByTestId('new-composition').click()
    await page.getByTestId('composer').waitFor()
    await page.getByTestId('add-to-composition').nth(0).click()
    await page.getByTestId('add-to-composition').nth(1).click()
    await expect.poll(() => page.getByTestId('composition-panel').count()).toBe(2)
    await page.getByTestId('panel-caption').nth(0).fill('Accuracy per split.')
    await page.getByTestId('panel-caption').nth(1).fill('Loss per batch and epoch.')
    await page.getByTestId('composition-name').fill('Poster panel')
    await page.getByTestId('composition-save').click()
    await expect.poll(() => page.getByTestId('composition-preview').evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth), { timeout: 20_000 }).toBeGreaterThan(0)
    await expect.poll(() => page.getByTestId('composition-save').isEnabled()).toBe(true)
    await page.screenshot({ path: join(session.app.workspace, 'figures-page.png'), fullPage: true })
    await page.getByTestId('composition-format').selectOption('pdf')
    const [pdfDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('composition-export').click()])
    expect(pdfDownload.suggestedFilename()).toBe('poster-panel.pdf')
    const pdf = await pdfText(await saved(pdfDownload))
    expect(pdf.pages).toBe(1)
    expect(pdf.size[0]).toBeCloseTo(720, 0)
    const words = pdf.text.split(/\s+/)
    expect(words).toEqual(expect.arrayContaining(['A', 'B']))
    expect(pdf.text).toContain('Loss per batch and epoch.')

    // It reopens as saved.
    await page.reload()
    await page.getByTestId('composition-item').first().getByRole('button', { name: 'Poster panel' }).click()
    await expect.poll(() => page.getByTestId('composition-panel').count()).toBe(2)
    expect(errors).toEqual([])
    await context.close()
  }, 180_000)
})

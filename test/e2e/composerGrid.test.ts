import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openWorkspaceDb } from '../../src-main/engine/store/database'
import { saveFigure } from '../../src-main/engine/store/figureStore'
import { parseSvg, pdfText } from '../support/parseFiles'
import { useServedBrowser } from '../support/servedBrowser'
import { tempDir } from '../support/workspace'

/** A workspace whose figure set holds six small maps, as a student collects them for a poster. */
function workspaceWithSixFigures(): string {
  const dir = tempDir('fl-composer-')
  const db = openWorkspaceDb(join(dir, 'featurelens.sqlite'))
  for (let i = 1; i <= 6; i++) {
    const values = Float32Array.from({ length: 16 }, (_, k) => (k * i) % 7)
    saveFigure(db, { kind: 'heatmap', title: `Map ${i}`, width: 4, height: 4, values, scale: { name: 'viridis', min: 0, max: 6 } }, { source: 'test', runIds: [] })
  }
  db.close()
  return dir
}

// Console errors and uncaught exceptions on any page fail the test (useServedBrowser watches every page).
const session = useServedBrowser(workspaceWithSixFigures)


describe('the poster composer keeps every panel when the grid changes', () => {
  it('reflows six panels from 1 × 2 to 2 × 3, lists what a smaller grid cannot hold, and previews all six', async () => {
    const context = await session.browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 900 } })
    const page = await context.newPage()
    await page.goto(`${session.app.url}#/figures`)
    await expect.poll(() => page.getByTestId('saved-figure').count(), { timeout: 20_000 }).toBe(6)
    await page.getByTestId('new-composition').click()
    await page.getByTestId('composer').waitFor()
    for (let i = 0; i < 6; i++) await page.getByTestId('add-to-composition').nth(i).click()
    await expect.poll(() => page.getByTestId('composition-panel').count()).toBe(6)

    await page.getByTestId('composition-rows').fill('2')
    await page.getByTestId('composition-cols').fill('3')
    await expect.poll(() => page.getByTestId('composition-unplaced').count()).toBe(0)
    await page.getByTestId('composition-save').click()
    await expect.poll(() => page.getByTestId('composition-preview').evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth), { timeout: 20_000 }).toBeGreaterThan(0)
    expect(await page.getByTestId('composition-problems').count()).toBe(0)
    // The preview is the SVG the export writes: six panel letters and six titles.
    await page.getByTestId('composition-format').selectOption('svg')
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('composition-export').click()])
    const texts = parseSvg(readFileSync(await download.path(), 'utf8'))
    expect(texts).toEqual(expect.arrayContaining(['A', 'B', 'C', 'D', 'E', 'F']))
    for (let i = 1; i <= 6; i++) expect(texts).toContain(`Map ${i}`)

    // A 2 × 2 grid holds four: the other two are listed, not dropped, and a click gives them a row.
    await page.getByTestId('composition-cols').fill('2')
    await expect.poll(() => page.getByTestId('composition-panel').count()).toBe(4)
    await expect.poll(() => page.getByTestId('composition-unplaced').textContent()).toMatch(/^\s*2 figures have no room on a 2 × 2 grid/)
    const onGrid = await page.getByTestId('composition-panel').locator('.figure-title').allTextContents()
    const waiting = (await page.getByTestId('composition-unplaced').textContent()) ?? ''
    for (let i = 1; i <= 6; i++) expect(onGrid.includes(`Map ${i}`) !== waiting.includes(`Map ${i}`)).toBe(true)
    await page.getByTestId('composition-make-room').click()
    await expect.poll(() => page.getByTestId('composition-panel').count()).toBe(6)
    expect(await page.getByTestId('composition-unplaced').count()).toBe(0)
    expect(await page.getByTestId('composition-rows').inputValue()).toBe('3')

    // A poster size: A0 portrait sets the page and type that reads from a distance.
    await page.getByTestId('composition-page').selectOption('a0-portrait')
    expect(await page.getByTestId('composition-font-size').inputValue()).toBe('20')
    await page.getByTestId('composition-title').fill('Six maps')
    await page.getByTestId('composition-format').selectOption('png')
    await expect.poll(() => page.getByTestId('composition-pixels').textContent()).toContain('9933 × 14043 px')
    await page.getByTestId('composition-format').selectOption('pdf')
    const [pdfDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('composition-export').click()])
    const pdf = await pdfText(readFileSync(await pdfDownload.path()))
    expect(Math.abs((pdf.size[0] / 72) * 25.4 - 841)).toBeLessThan(1)
    expect(Math.abs((pdf.size[1] / 72) * 25.4 - 1189)).toBeLessThan(1)
    expect(pdf.text).toContain('Six maps')
    await page.screenshot({ path: join(session.app.workspace, 'composer-grid.png'), fullPage: true })
    await context.close()
  }, 180_000)

  it("edits a saved figure's title and axis name; the composition's export uses them", async () => {
    const context = await session.browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 900 } })
    const page = await context.newPage()
    await page.goto(`${session.app.url}#/figures`)
    await expect.poll(() => page.getByTestId('saved-figure').count(), { timeout: 20_000 }).toBe(6)
    const first = page.getByTestId('saved-figure').first()
    const generatedTitle = (await first.locator('.title').textContent())?.trim() ?? ''
    await first.getByTestId('edit-words').click()
    const words = first.getByTestId('figure-words')
    expect(await words.getByTestId('words-title').getAttribute('placeholder')).toBe(generatedTitle)
    await words.getByTestId('words-title').fill('Channel responses of the first layer')
    await words.getByTestId('words-xLabel').fill('image column')
    await words.getByTestId('words-save').click()
    await expect.poll(() => first.locator('.title').textContent()).toBe('Channel responses of the first layer')

    await page.getByTestId('new-composition').click()
    await page.getByTestId('composer').waitFor()
    await first.getByTestId('add-to-composition').click()
    await expect.poll(() => page.getByTestId('composition-panel').count()).toBe(1)
    await page.getByTestId('composition-save').click()
    await page.getByTestId('composition-format').selectOption('svg')
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('composition-export').click()])
    const texts = parseSvg(readFileSync(await download.path(), 'utf8'))
    expect(texts).toContain('Channel responses of the first layer')
    expect(texts).toContain('image column')
    expect(texts).not.toContain(generatedTitle)

    // Any figure's own Export menu takes words for that export too.
    const second = page.getByTestId('saved-figure').nth(1)
    await second.getByTestId('figure-export').click()
    const menu = page.getByTestId('figure-export-menu')
    await menu.getByTestId('export-words').click()
    await menu.getByTestId('words-title').fill('Poster panel title')
    await menu.getByTestId('words-colorBar').fill('response')
    await menu.getByTestId('words-save').click()
    await menu.getByTestId('export-format').selectOption('svg')
    const [single] = await Promise.all([page.waitForEvent('download'), menu.getByTestId('export-download').click()])
    const singleTexts = parseSvg(readFileSync(await single.path(), 'utf8'))
    expect(singleTexts).toEqual(expect.arrayContaining(['Poster panel title', 'response']))
    await context.close()
  }, 120_000)
})

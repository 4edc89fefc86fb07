import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openWorkspaceDb } from '../../src-main/engine/store/database'
import { loadTensor, listTensors } from '../../src-main/engine/store/epochStore'
import { launchChromium } from '../support/chromium'
import { failOnPageErrors } from '../support/pageErrors'
import { projectRoot, startServe, type ServedApp } from '../support/serve'

let app: ServedApp
let browser: Browser
failOnPageErrors()
let runId: string
const workspace = mkdtempSync(join(tmpdir(), 'featurelens-inspect-'))

beforeAll(async () => {
  // A real run, trained the way a user would: the bundled MNIST, the minimal CNN, two epochs.
  const cli = (...args: string[]) => execFileSync(process.execPath, [join(projectRoot, 'bin', 'featurelens.mjs'), ...args, '--workspace', workspace], { cwd: projectRoot, encoding: 'utf8', timeout: 240_000, stdio: ['ignore', 'pipe', 'pipe'] })
  cli('train', '--dataset', 'mnist', '--model', 'minimal', '--epochs', '2', '--limit', '600')
  runId = (JSON.parse(cli('runs', 'list', '--json')) as { id: string }[])[0].id
  app = await startServe({ workspace })
  browser = await launchChromium()
}, 300_000)
afterAll(async () => {
  await browser?.close()
  await app?.stop()
  rmSync(workspace, { recursive: true, force: true })
})

async function openInspector(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } })
  // Straight to the inspector, as the lead's Runs page links to it: a hash change while the app
  // is still making its first navigation can lose the race to the start page.
  await page.goto(`${app.url}#/runs/${runId}/inspect`)
  await expect.poll(() => page.getByTestId('inspect-epoch').textContent(), { timeout: 30_000 }).toBe('2')
  return page
}

/** The stored weight at a matrix cell of a conv2d kernel [kh, kw, in, out] (row = out, col = (in·kh + y)·kw + x). */
function storedConvWeight(epoch: number, name: string, row: number, col: number): number {
  const db = openWorkspaceDb(join(workspace, 'featurelens.sqlite'), { readonly: true })
  try {
    const info = listTensors(db, runId, epoch, 'weight').find((t) => t.name === name)!
    const tensor = loadTensor(db, runId, epoch, 'weight', info.position)
    const [kh, kw, inputs, outputs] = tensor.shape
    const [y, x, i] = [Math.floor(col / kw) % kh, col % kw, Math.floor(col / (kh * kw))]
    return tensor.data[((y * kw + x) * inputs + i) * outputs + row]
  } finally {
    db.close()
  }
}

describe('the run inspector in Chromium', () => {
  it('shows the feature maps of a test image with μ and σ, and enlarges one with an overlay', async () => {
    const page = await openInspector()
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(err.message))
    // minimal: conv1 and pool1 have 8 channels, conv2 and pool2 16.
    await expect.poll(() => page.getByTestId('feature-map').count(), { timeout: 30_000 }).toBe(48)
    expect(await page.getByTestId('feature-layer-maps').locator('h3').allTextContents()).toEqual([
      expect.stringContaining('conv1'),
      expect.stringContaining('pool1'),
      expect.stringContaining('conv2'),
      expect.stringContaining('pool2')
    ])
    expect(await page.getByTestId('feature-map').first().textContent()).toMatch(/μ [\d.]+.*σ [\d.]+/)
    expect(await page.getByTestId('prediction').textContent()).toMatch(/predicts/)
    await page.getByTestId('image-index').fill('5')
    await expect.poll(() => page.locator('[data-testid=inspect-feature-maps] strong').first().textContent(), { timeout: 20_000 }).toContain('test #5')

    // An opened file instead of a dataset image: a white bar on black, like a digit 1.
    const raw = Buffer.alloc(28 * 28)
    for (let y = 4; y < 24; y++) for (let x = 12; x < 16; x++) raw[y * 28 + x] = 255
    const png = await sharp(raw, { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer()
    await page.getByTestId('image-file').setInputFiles({ name: 'bar.png', mimeType: 'image/png', buffer: png })
    await expect.poll(() => page.locator('[data-testid=inspect-feature-maps] strong').first().textContent(), { timeout: 20_000 }).toBe('bar.png')
    expect(await page.getByTestId('feature-map').count()).toBe(48)

    await page.getByTestId('feature-map').nth(3).click()
    const detail = page.getByTestId('feature-map-detail')
    await expect.poll(() => detail.textContent()).toContain('conv1 · channel 3')
    await page.getByTestId('overlay-toggle').check()
    expect(await detail.locator('canvas').count()).toBe(2)
    await page.getByTestId('close-detail').click()
    expect(await detail.count()).toBe(0)
    expect(errors).toEqual([])
    await page.close()
  })

  it('exports a feature map at the bottom of the window: the menu fits the window and the map does not also open', async () => {
    const page = await openInspector()
    await expect.poll(() => page.getByTestId('feature-map').count(), { timeout: 30_000 }).toBe(48)
    const tile = page.getByTestId('feature-map').last()
    await tile.evaluate((el) => el.scrollIntoView({ block: 'end' }))
    const exportButton = tile.getByTestId('figure-export')
    // Visible without hovering, as in any figure tool.
    expect(Number(await exportButton.evaluate((el) => getComputedStyle(el).opacity))).toBeGreaterThan(0.5)
    const buttonBox = (await exportButton.boundingBox())!
    expect(buttonBox.y).toBeGreaterThan(450)
    await exportButton.click()
    expect(await page.getByTestId('feature-map-detail').count()).toBe(0)
    const menu = page.getByTestId('figure-export-menu')
    const box = (await menu.boundingBox())!
    expect(box.y).toBeGreaterThanOrEqual(0)
    expect(box.y + box.height).toBeLessThanOrEqual(900)
    await menu.getByTestId('export-format').selectOption('svg')
    const [download] = await Promise.all([page.waitForEvent('download'), menu.getByTestId('export-download').click()])
    expect(download.suggestedFilename()).toMatch(/\.svg$/)
    expect(await page.getByTestId('feature-map-detail').count()).toBe(0)

    // A whole layer as one figure: the grid replaces the tiles and adds to the figure set like any figure.
    const conv1 = page.getByTestId('feature-layer-maps').first()
    await conv1.getByTestId('layer-as-one-figure').check()
    const grid = conv1.getByTestId('layer-grid-figure')
    await grid.locator('canvas').first().waitFor({ timeout: 20_000 })
    expect(await conv1.getByTestId('feature-map').count()).toBe(0)
    await grid.getByTestId('figure-export').click()
    await menu.getByTestId('export-add-to-set').click()
    await expect.poll(() => page.getByTestId('notice').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/Added “conv1 · 8 channels · .* · epoch 2”/)]))
    await page.close()
  })

  it('shows every conv layer’s filters', async () => {
    const page = await openInspector()
    await page.getByTestId('inspect-tab-filters').click()
    await expect.poll(() => page.getByTestId('filter-layer').count(), { timeout: 20_000 }).toBe(2)
    expect(await page.getByTestId('filter-layer').first().getByTestId('filter-tile').count()).toBe(8)
    expect(await page.getByTestId('filter-layer').nth(1).textContent()).toContain('16 filters of 5×5 over 8 input channels')
    // The deeper layer: a labelled row per filter, each with a 5×5 tile per input channel, drawn large enough to read.
    const rows = page.getByTestId('filter-mosaic').getByTestId('filter-row')
    expect(await rows.count()).toBe(16)
    expect(await rows.nth(3).locator('.filter-label').textContent()).toBe('filter 3')
    const box = await rows.first().locator('canvas').boundingBox()
    expect(box!.height).toBeGreaterThanOrEqual(5 * 5)
    // A layer's filters as one figure: one grid replaces the tiles.
    const first = page.getByTestId('filter-layer').first()
    await first.getByTestId('filters-as-one-figure').check()
    await first.getByTestId('filters-grid-figure').locator('canvas').first().waitFor({ timeout: 10_000 })
    expect(await first.getByTestId('filter-tile').count()).toBe(0)
    await page.close()
  })

  it('shows a weight map whose values under the cursor are the stored weights of the chosen epoch', async () => {
    const page = await openInspector()
    await page.getByTestId('inspect-tab-weights').click()
    await page.getByTestId('weight-select').selectOption({ label: 'conv2/kernel [5×5×8×16]' })
    const map = page.getByTestId('weight-map').first()
    await expect.poll(() => map.getByTestId('weight-map-region').textContent(), { timeout: 20_000 }).toMatch(/of\s+16×200 · every weight shown/)
    expect(await page.getByTestId('weight-layout').textContent()).toContain('16 rows = output channels; 200 columns = 8 input channels × 5×5 kernel')

    const hoverAndRead = async (fx: number, fy: number) => {
      const box = (await map.locator('.box').boundingBox())!
      await page.mouse.move(box.x + fx * box.width, box.y + fy * box.height)
      const value = map.getByTestId('weight-map-value')
      await expect.poll(() => value.textContent(), { timeout: 10_000 }).toMatch(/w\[\d+, \d+, \d+, \d+\]/)
      return { row: Number(await value.getAttribute('data-row')), col: Number(await value.getAttribute('data-col')), value: Number(await value.getAttribute('data-value')) }
    }
    const at2 = await hoverAndRead(0.37, 0.61)
    expect(at2.value).toBe(storedConvWeight(2, 'conv2/kernel', at2.row, at2.col))

    // Move the epoch slider to epoch 1: the map reloads and shows epoch 1's stored weights.
    await page.getByTestId('inspect-epoch-slider').fill('1')
    await expect.poll(() => map.locator('strong').first().textContent(), { timeout: 20_000 }).toBe('conv2/kernel at epoch 1')
    await page.mouse.move(0, 0)
    const at1 = await hoverAndRead(0.81, 0.13)
    expect(at1.value).toBe(storedConvWeight(1, 'conv2/kernel', at1.row, at1.col))

    // Zoom in with the wheel: the region shrinks around the cursor and values stay exact.
    const box = (await map.locator('.box').boundingBox())!
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    for (let k = 0; k < 4; k++) await page.mouse.wheel(0, -100)
    await expect.poll(async () => Number(/cols \d+–(\d+)/.exec((await map.getByTestId('weight-map-region').textContent()) ?? '')?.[1] ?? 999) - Number(/cols (\d+)/.exec((await map.getByTestId('weight-map-region').textContent()) ?? '')?.[1] ?? 0), { timeout: 10_000 }).toBeLessThan(120)
    const zoomed = await hoverAndRead(0.2, 0.7)
    expect(zoomed.value).toBe(storedConvWeight(1, 'conv2/kernel', zoomed.row, zoomed.col))
    await page.close()
  })

  it("opens the Weights tab on a conv kernel with its mean and variance as per-filter tiles", async () => {
    const page = await openInspector()
    await page.getByTestId('inspect-tab-weights').click()
    // conv2/kernel: the largest kernel whose statistics are computed at once (no button to press).
    await expect.poll(() => page.getByTestId('weight-select').evaluate((el) => (el as HTMLSelectElement).selectedOptions[0]?.textContent ?? ''), { timeout: 20_000 }).toBe('conv2/kernel [5×5×8×16]')
    const rows = page.getByTestId('kernel-stats').getByTestId('kernel-stat-row')
    await expect.poll(() => rows.count(), { timeout: 60_000 }).toBe(32)
    expect(await rows.nth(17).textContent()).toContain('filter 1')
    await page.close()
  })

  it("shows one image's maps side by side across epochs", async () => {
    const page = await openInspector()
    const section = page.getByTestId('maps-over-epochs')
    await section.getByTestId('over-epochs-show').click()
    await expect.poll(() => section.getByTestId('over-epochs-row').count(), { timeout: 60_000 }).toBe(6)
    expect(await section.locator('thead th').allTextContents()).toEqual(['', 'epoch 0', 'epoch 1', 'epoch 2'])
    expect(await section.getByTestId('over-epochs-row').first().locator('canvas').count()).toBe(3)
    await page.close()
  })

  it('shows the architecture table with receptive fields and the spatial scale profile', async () => {
    const page = await openInspector()
    await page.getByTestId('inspect-tab-architecture').click()
    const table = page.getByTestId('inspect-architecture').locator('tbody tr')
    await expect.poll(() => table.count(), { timeout: 20_000 }).toBe(7)
    // conv2 of the minimal model: a 14-pixel field with jump 2.
    expect(await table.nth(3).textContent()).toMatch(/conv2.*14.*2.*6\.5/)
    expect(await page.getByTestId('spatial-profile').locator('canvas').count()).toBeGreaterThan(0)
    await page.close()
  })
})

import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../support/chromium'
import { failOnPageErrors } from '../support/pageErrors'
import { trainFacePair, type FacePair } from '../support/facePair'
import { startServe, type ServedApp } from '../support/serve'

let pair: FacePair
let app: ServedApp
let browser: Browser
failOnPageErrors()

beforeAll(async () => {
  // A small real pair: enough to have epochs 0 and 1 of both runs on the same images.
  pair = await trainFacePair({ count: 200, size: 32, epochs: 1 })
  const workspace = pair.api.context.workspace.dir
  pair.api.close()
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
  await page.goto(app.url + path)
  return { page, errors }
}

describe('the compare view in Chromium', () => {
  it('opens a run pair and shows both sides, the CKA heatmap and linked panels', async () => {
    const { page, errors } = await openPage('#/compare')
    await page.getByTestId(`open-pair-${pair.a.pairId}`).click()
    await expect.poll(() => page.url()).toContain(`a=${pair.a.id}`)
    expect(page.url()).toContain(`b=${pair.b.id}`)
    await expect.poll(() => page.getByTestId('run-a').textContent(), { timeout: 30_000 }).toContain('Smiling')
    expect(await page.getByTestId('run-b').textContent()).toContain('Male')

    // The CKA heatmap appears once the comparison is computed (with progress meanwhile).
    await page.getByTestId('cka-heatmap').locator('canvas').first().waitFor({ timeout: 120_000 })
    expect(await page.getByTestId('cka-method').textContent()).toMatch(/examples of the \w+ split/)
    await page.getByTestId('cka-per-layer').locator('canvas').first().waitFor()

    // Feature maps of the same image in both runs, and their difference.
    await page.getByTestId('map-a').first().locator('canvas').waitFor({ timeout: 60_000 })
    expect(await page.getByTestId('map-b').count()).toBeGreaterThan(0)
    expect(await page.getByTestId('map-diff').count()).toBeGreaterThan(0)
    expect(await page.getByTestId('side-a').textContent()).toContain('Run A')
    expect(await page.getByTestId('side-b').textContent()).toContain('Run B')

    // Linked: a layer and an image chosen on side A are chosen on side B.
    const layers = await page.getByTestId('layer-a').locator('option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))
    await page.getByTestId('layer-a').selectOption(layers[0])
    await expect.poll(() => page.getByTestId('layer-b').inputValue()).toBe(layers[0])
    await page.getByTestId('image-index-a').fill('3')
    await page.getByTestId('image-index-a').dispatchEvent('change')
    await expect.poll(() => page.getByTestId('image-index-b').inputValue()).toBe('3')
    await page.getByTestId('side-b').getByTestId('epoch-b').selectOption('0')
    await expect.poll(() => page.getByTestId('side-a').getByTestId('epoch-a').inputValue()).toBe('0')
    // The epoch chooser in the run header is the same choice.
    expect(await page.getByTestId('run-a').getByTestId('epoch-a').inputValue()).toBe('0')

    // Where each model looks, with the evidence regions of the synthetic faces.
    await page.getByTestId('attention-a').locator('canvas').waitFor({ timeout: 60_000 })
    await page.getByTestId('attention-b').locator('canvas').waitFor()
    expect(await page.getByTestId('attention-regions').textContent()).toContain('Smiling')
    // The panel's own layer control, and both runs' pointing figures on the same test faces.
    const attentionLayers = await page.getByTestId('attention-layer').locator('option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value).filter(Boolean))
    await page.getByTestId('attention-layer').selectOption(attentionLayers[0])
    await expect.poll(() => page.getByTestId('compare-attention').textContent(), { timeout: 60_000 }).toContain(`${attentionLayers[0]} (`)
    await page.getByTestId('compare-pointing-count').fill('3')
    await page.getByTestId('compare-pointing-compute').click()
    await page.getByTestId('pointing-table').waitFor({ timeout: 180_000 })
    const pointing = await page.getByTestId('pointing-table').textContent()
    for (const heading of ['A (Smiling): occlusion', 'B (Male): Grad-CAM', 'Male only']) expect(pointing).toContain(heading)
    // Lifts with intervals, the verdicts with their rule, the note on the "X only" regions, and the two runs compared on the same images.
    expect(pointing).toMatch(/lift [\d.]+ \(/)
    const verdicts = await page.getByTestId('pointing-verdicts').textContent()
    expect(verdicts).toMatch(/(supported|inconclusive): The Smiling model's occlusion map points at the Smiling region/)
    expect(verdicts).toContain('Supported when the whole 95 % interval of the lift lies above 1')
    expect(await page.getByTestId('pointing-region-note').first().textContent()).toMatch(/only" is the \w+ region without the pixels it shares with/)
    const paired = await page.getByTestId('pointing-paired').textContent()
    expect(paired).toMatch(/The (Smiling|Male) model looks at the (Smiling|Male) region more than the (Male|Smiling) model does/)
    for (const text of [pointing, verdicts, paired]) for (const banned of [/\bpt\b/, /\bp95\b/, /\brun A\b/i, /\brun B\b/i]) expect(text).not.toMatch(banned)
    // Curves of both runs, weight maps and histograms.
    await page.getByTestId('compare-loss').locator('canvas').waitFor()
    await page.getByTestId('weight-map-a').locator('canvas').waitFor({ timeout: 60_000 })
    await page.getByTestId('histogram-overlay').locator('canvas').waitFor({ timeout: 60_000 })
    expect(errors).toEqual([])
    await page.close()
  }, 300_000)

  it('opens #/compare?a=…&b=… directly and serves the CKA from the workspace cache', async () => {
    const { page, errors } = await openPage(`#/compare?a=${pair.a.id}&b=${pair.b.id}`)
    await page.getByTestId('cka-heatmap').locator('canvas').first().waitFor({ timeout: 120_000 })
    await expect.poll(() => page.getByTestId('cka-method').textContent()).toContain('from the workspace cache')
    await page.getByTestId('cka-view').selectOption('selfA')
    await page.getByTestId('cka-heatmap').locator('canvas').first().waitFor()
    expect(errors).toEqual([])
    await page.close()
  }, 180_000)
})

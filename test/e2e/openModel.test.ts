import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { modelFixtures } from '../support/modelFixtures'
import { useServedBrowser } from '../support/servedBrowser'
import { tempDir } from '../support/workspace'

const served = useServedBrowser()
const files = tempDir('fl-open-model-')

describe('opening a model in Chromium', () => {
  it('opens an ONNX file from the Runs page and shows its class names, preprocessing and feature maps', async () => {
    const labels = join(files, 'labels.txt')
    writeFileSync(labels, 'zero\none\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\n')
    const page = await served.browser.newPage({ viewport: { width: 1300, height: 900 } })
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(err.message))
    page.on('console', (msg) => {
      // The web host serves no favicon (the app shell's, not this page's); anything else counts.
      if (msg.type() === 'error' && !msg.location().url.endsWith('/favicon.ico')) errors.push(`${msg.text()} ${msg.location().url}`)
    })
    await page.goto(`${served.app.url}#/runs`)
    await page.getByTestId('open-model').click()
    await page.locator('input[name=modelPath]').fill(join(modelFixtures, 'smallcnn.onnx'))
    await page.locator('input[name=labels]').fill(labels)
    await page.getByTestId('open-model-submit').click()

    // The model run opens in the inspector with where it came from and how images are prepared.
    await expect.poll(() => page.getByTestId('model-source').textContent(), { timeout: 60_000 }).toMatch(/ONNX.*10 classes from labels\.txt: zero, one/)
    expect(await page.getByTestId('preprocess-scale').inputValue()).toBe('torch')

    // No dataset: an uploaded image. A bright square on a dark ground, 32 px like the model's input.
    const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 20, g: 20, b: 30 } } })
      .composite([{ input: await sharp({ create: { width: 12, height: 12, channels: 3, background: { r: 240, g: 200, b: 60 } } }).png().toBuffer(), left: 10, top: 10 }])
      .png()
      .toBuffer()
    await page.getByTestId('image-file').setInputFiles({ name: 'square.png', mimeType: 'image/png', buffer: png })
    await expect.poll(() => page.getByTestId('feature-map').count(), { timeout: 60_000 }).toBeGreaterThan(50)
    const headings = await page.getByTestId('feature-layer-maps').locator('h3').allTextContents()
    expect(headings.some((h) => h.includes('preprocess'))).toBe(true)
    expect(headings.some((h) => h.includes('conv1'))).toBe(true)
    expect(await page.getByTestId('prediction').textContent()).toMatch(/zero|one|two|three|four|five|six|seven|eight|nine/)
    await page.screenshot({ path: join(files, 'open-model.png'), fullPage: false })

    // Fine-tuning starts from the opened model: the new-run form opens with it chosen.
    const runId = (await page.getByTestId('run-inspect').locator('.meta a').first().textContent())?.trim()
    await page.getByTestId('fine-tune').click()
    await expect.poll(() => page.locator('select[name=fromRun]').inputValue(), { timeout: 20_000 }).toBe(runId)
    expect(await page.locator('select[name=model]').inputValue()).toBe('fromRun')
    expect(errors).toEqual([])
    await page.close()
  }, 180_000)
})

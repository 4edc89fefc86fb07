import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../support/chromium'
import { startServe, type ServedApp } from '../support/serve'
import { explainSkip, useSwiftShader } from '../support/webgpu'

const swiftShader = await useSwiftShader()
explainSkip('e2e/webgpu.test.ts', swiftShader)

describe.skipIf(!swiftShader.ok)('the UI when the work runs on WebGPU (SwiftShader, chosen explicitly)', () => {
  let app: ServedApp
  let browser: Browser
  beforeAll(async () => {
    // useSwiftShader set VK_ICD_FILENAMES and XDG_RUNTIME_DIR in this process; serve inherits them.
    app = await startServe({ env: { FEATURELENS_BACKEND: 'webgpu' } })
    browser = await launchChromium()
  }, 300_000)
  afterAll(async () => {
    await browser?.close()
    await app?.stop()
  })

  it('names the adapter in the status bar and in Settings', async () => {
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(err.message))
    page.on('console', (message) => {
      // The web host has no favicon yet; that 404 is not this page's doing.
      if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico')) errors.push(`${message.text()} ${message.location().url}`)
    })
    await page.goto(app.url + '#/settings')
    await expect.poll(() => page.getByTestId('status-backend').textContent(), { timeout: 60_000 }).toBe('webgpu')
    expect(await page.getByTestId('status-adapter').textContent()).toMatch(/on google swiftshader \(SwiftShader driver [\d.]+\)/)
    await expect.poll(() => page.getByTestId('settings-backend').textContent(), { timeout: 20_000 }).toBe('webgpu')
    const facts = await page.getByTestId('settings-adapter').textContent()
    expect(facts).toContain('SwiftShader driver')
    expect(facts).toMatch(/Largest buffer\s*[\d.]+ GiB/)
    if (process.env.FEATURELENS_SCREENSHOT) await page.screenshot({ path: process.env.FEATURELENS_SCREENSHOT, fullPage: true })
    expect(errors).toEqual([])
    await page.close()
  })
})

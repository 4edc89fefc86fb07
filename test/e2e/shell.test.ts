import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import type { BackendReport } from '../../src-shared/backend'
import { projectRoot } from '../support/serve'
import { takePageErrors } from '../support/pageErrors'
import { useServedBrowser } from '../support/servedBrowser'

const session = useServedBrowser()

/** The backend this machine detects, asked of `featurelens backend --json`: wasm here, webgpu or another on a GPU machine. */
let detected: BackendReport
beforeAll(async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [join(projectRoot, 'bin/featurelens.mjs'), 'backend', '--json'], { cwd: projectRoot })
  detected = JSON.parse(stdout) as BackendReport
}, 120_000)

describe('the UI in Chromium, served by featurelens serve', () => {
  it('loads, shows the backend in the status bar and drops the token from the address bar', async () => {
    const page = await session.browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(err.message))
    await page.goto(session.app.url)
    await expect.poll(() => page.getByTestId('status-backend').textContent(), { timeout: 20_000 }).toBe(detected.chosen)
    await expect.poll(() => page.getByTestId('status-workspace').textContent()).toContain(session.app.workspace)
    expect(page.url()).not.toContain('token=')
    // The cookie carries the token now: a reload still works.
    await page.reload()
    await expect.poll(() => page.getByTestId('status-backend').textContent(), { timeout: 20_000 }).toBe(detected.chosen)
    expect(errors).toEqual([])
    await page.close()
  })

  it('refuses a browser that does not have the token', async () => {
    const context = await session.browser.newContext()
    const page = await context.newPage()
    const response = await page.goto(session.app.origin + '/')
    expect(response?.status()).toBe(401)
    expect(await page.locator('#app').count()).toBe(0)
    await context.close()
    // The refusal itself is the one console error expected here (Chromium logs every 401).
    const errors = takePageErrors()
    expect(errors.length).toBeGreaterThan(0)
    expect(errors.filter((e) => !/status of 401 \(Unauthorized\)/.test(e))).toEqual([])
  })

  it('switches between light and dark themes', async () => {
    const page = await session.browser.newPage()
    await page.goto(session.app.url)
    const theme = () => page.evaluate(() => document.documentElement.dataset.theme)
    const before = await theme()
    await page.getByTestId('theme-toggle').click()
    expect(await theme()).not.toBe(before)
    await page.close()
  })

  it('shows the backend choice and reasons on the settings page', async () => {
    const page = await session.browser.newPage()
    await page.goto(session.app.url + '#/settings')
    await expect.poll(() => page.getByTestId('settings-backend').textContent(), { timeout: 20_000 }).toBe(detected.chosen)
    const text = await page.locator('table').textContent()
    expect(text).toContain('@tensorflow/tfjs-node-gpu')
    expect(text).toContain('@tensorflow/tfjs-backend-webgpu')
    // Every backend the app did not use is listed with the reason the CLI gives for it.
    for (const c of detected.candidates) if (c.name !== detected.chosen && !c.available) expect(text).toContain(c.reason)
    // The GPU section names the adapter, or says why no GPU is used.
    const webgpu = detected.candidates.find((c) => c.name === 'webgpu')
    if (webgpu?.adapter) await expect.poll(() => page.getByTestId('settings-adapter').textContent()).toContain(webgpu.adapter.description)
    else if (detected.chosen !== 'webgpu') await expect.poll(() => page.getByTestId('settings-gpu-reason').textContent()).toContain(webgpu?.reason ?? '')
    await page.close()
  })
})

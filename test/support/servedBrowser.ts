import type { Browser } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { launchChromium } from './chromium'
import { failOnPageErrors } from './pageErrors'
import { startServe, type ServedApp } from './serve'

export interface ServedBrowser {
  readonly app: ServedApp
  readonly browser: Browser
}

/**
 * `featurelens serve` on a fresh (or given) workspace plus a Chromium, started before the
 * file's tests and stopped after them. A test fails when any page logged a console error or threw.
 */
export function useServedBrowser(workspace?: () => Promise<string> | string): ServedBrowser {
  failOnPageErrors()
  let app: ServedApp | null = null
  let browser: Browser | null = null
  beforeAll(async () => {
    app = await startServe({ workspace: workspace ? await workspace() : undefined })
    browser = await launchChromium()
  }, 300_000)
  afterAll(async () => {
    await browser?.close()
    await app?.stop()
  })
  return {
    get app() {
      if (!app) throw new Error('the web host has not started')
      return app
    },
    get browser() {
      if (!browser) throw new Error('Chromium has not started')
      return browser
    }
  }
}

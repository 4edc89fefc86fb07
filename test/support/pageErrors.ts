import type { Browser, Page } from 'playwright-core'
import { afterEach, expect } from 'vitest'

/** Errors seen on any page since the last check: console errors (a 404 logs one) and uncaught exceptions. */
const seen: string[] = []

/** Records console errors and `pageerror` of a page (every page of launchChromium's browser gets this). */
export function watchPage(page: Page): Page {
  page.on('console', (message) => {
    if (message.type() === 'error') seen.push(`console error on ${page.url()}: ${message.text()}`)
  })
  page.on('pageerror', (err) => seen.push(`uncaught ${err.name} on ${page.url()}: ${err.message}`))
  return page
}

/** Makes every page the browser opens record its errors. */
export function watchBrowser(browser: Browser): Browser {
  const newPage = browser.newPage.bind(browser)
  browser.newPage = async (...args: Parameters<Browser['newPage']>) => watchPage(await newPage(...args))
  const newContext = browser.newContext.bind(browser)
  browser.newContext = async (...args: Parameters<Browser['newContext']>) => {
    const context = await newContext(...args)
    context.on('page', watchPage)
    return context
  }
  return browser
}

/** The errors recorded since the last call, cleared. */
export function takePageErrors(): string[] {
  return seen.splice(0)
}

/** In an end-to-end test file: every test fails when any page logged a console error or threw. */
export function failOnPageErrors(): void {
  afterEach(() => {
    expect(takePageErrors(), 'console errors or uncaught exceptions in the page').toEqual([])
  })
}

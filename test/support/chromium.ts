import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'
import { watchBrowser } from './pageErrors'

/**
 * The browser for end-to-end tests: CHROMIUM_PATH, then Debian's chromium on PATH, then an
 * installed Chrome. With none, the test fails and says how to install one; it never skips.
 */
export function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist. Point it at a Chromium or Chrome binary.`)
    return fromEnv
  }
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    try {
      const path = execFileSync('which', [name], { encoding: 'utf8' }).trim()
      if (path) return path
    } catch {
      // not on PATH; try the next name
    }
  }
  for (const path of ['/usr/bin/chromium', '/opt/google/chrome/chrome', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome']) {
    if (existsSync(path)) return path
  }
  throw new Error('No Chromium found for the browser tests. Install one with `sudo apt-get install chromium` (Debian/Ubuntu) or set CHROMIUM_PATH to a Chrome/Chromium binary.')
}

/** Every page it opens records console errors and uncaught exceptions (see pageErrors.ts). */
export async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: findChromium(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
  return watchBrowser(browser)
}

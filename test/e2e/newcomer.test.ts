import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateSyntheticFaces } from '../../src-main/engine/data/synthFaces/generate'
import { useServedBrowser } from '../support/servedBrowser'
import { tempDir } from '../support/workspace'

// A newcomer's path: open the faces folder, start the one-click Smiling/Male pair preset, and,
// once it has trained, follow the pair link into Compare. The preset's own settings train for
// real here, on a small faces folder so the test stays within its budget; the accuracies and
// times of the preset on the default 2000 faces are measured by bench/face-pair-preset.ts.
const root = tempDir('fl-newcomer-')
const faces = join(root, 'faces')
beforeAll(async () => {
  await generateSyntheticFaces(faces, { count: 120, size: 32, seed: 3 })
}, 120_000)
afterAll(() => rmSync(root, { recursive: true, force: true }))

const session = useServedBrowser()

describe("a newcomer's first pair", () => {
  it('opens the faces folder, trains the one-click pair preset and compares the two runs', async () => {
    const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 } })
    await page.goto(`${session.app.url}#/datasets`)
    await page.getByTestId('dataset-path').fill(faces)
    await page.getByTestId('dataset-path').press('Enter')
    await expect.poll(() => page.getByTestId('dataset-name').textContent(), { timeout: 60_000 }).toBeTruthy()
    expect(await page.getByTestId('preset-box').textContent()).toContain('Smiling/Male pair on synthetic faces')

    await page.getByTestId('start-face-pair-preset').click()
    await page.waitForURL(/#\/runs$/, { timeout: 60_000 })
    const rows = page.getByTestId('runs-list').locator('tbody tr')
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2)
    // Both runs finish (they train one after the other).
    await expect
      .poll(async () => (await rows.getByTestId('run-status').allTextContents()).map((s) => s.trim().split(/\s/)[0]), { timeout: 900_000, interval: 2000 })
      .toEqual(['completed', 'completed'])
    expect(await rows.first().locator('td').nth(2).textContent()).toBe('4/4')

    await rows.first().getByTestId('pair-link').click()
    await expect.poll(() => page.url(), { timeout: 30_000 }).toMatch(/a=run-.*b=run-/)
    await expect.poll(() => page.getByTestId('run-a').locator('h2').textContent(), { timeout: 60_000 }).toContain('Smiling')
    expect(await page.getByTestId('run-b').locator('h2').textContent()).toContain('Male')
    expect(await page.getByTestId('run-a').getByTestId('run-name').textContent()).toContain('Smiling/Male faces')
    // The A and B boxes name the runs on screen, and the pair button says what it is in words.
    const chosen = async (id: string) => page.getByTestId(id).evaluate((el) => (el as HTMLSelectElement).selectedOptions[0]?.textContent ?? '')
    expect(await chosen('pick-a')).toContain('Smiling')
    expect(await chosen('pick-b')).toContain('Male')
    const pairButton = page.getByTestId('compare-picker').locator('button[data-testid^=open-pair-]')
    expect(await pairButton.textContent()).toMatch(/Smiling vs Male · VGG-11 ×0.25 with batch norm \(4 of 4 epochs\)/)

    await page.getByTestId('cka-heatmap').locator('canvas').first().waitFor({ timeout: 180_000 })
    if (process.env.FEATURELENS_SCREENSHOTS) await page.screenshot({ path: join(process.env.FEATURELENS_SCREENSHOTS, 'newcomer-compare.png'), fullPage: true })
    await page.close()
  }, 1_200_000)
})

import { describe, expect, it } from 'vitest'
import { useServedBrowser } from '../support/servedBrowser'

const session = useServedBrowser()

describe('training from the GUI', () => {
  it('refuses bad input field by field and names the missing dataset', async () => {
    const page = await session.browser.newPage()
    await page.goto(`${session.app.url}#/runs`)
    await page.getByTestId('new-run').click()
    const form = page.getByTestId('new-run-form')
    await form.locator('input[name=epochs]').fill('0')
    await form.locator('input[name=learningRate]').fill('fast')
    await page.getByTestId('start-run').click()
    await expect.poll(() => form.locator('.error').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/number|>=|at least|too small/i)]))
    expect(await form.locator('.error').count()).toBeGreaterThanOrEqual(2)

    await form.locator('input[name=epochs]').fill('1')
    await form.locator('input[name=learningRate]').fill('0.001')
    await form.locator('select[name=datasetChoice]').selectOption({ label: 'Another folder…' })
    await form.locator('input[name=dataset]').fill('/no/such/folder')
    await page.getByTestId('start-run').click()
    // The error shows beside the button that was pressed.
    await expect.poll(() => page.getByTestId('start-error').textContent(), { timeout: 20_000 }).toContain('/no/such/folder')
    await page.close()
  })

  it('starts a short run from the form, shows progress, and lists the finished run', async () => {
    const page = await session.browser.newPage()
    await page.goto(`${session.app.url}#/runs`)
    await page.getByTestId('new-run').click()
    const form = page.getByTestId('new-run-form')
    await form.locator('select[name=datasetChoice]').selectOption('mnist')
    await form.locator('select[name=model]').selectOption('minimal')
    await form.locator('input[name=epochs]').fill('2')
    await form.locator('input[name=limit]').fill('1200')
    await form.locator('input[name=batchSize]').fill('32')
    await page.getByTestId('start-run').click()

    await page.waitForURL(/#\/runs\/run-/, { timeout: 30_000 })
    // Progress arrives while it trains: the bar, then rows of the epoch table.
    await page.getByTestId('progress').waitFor({ timeout: 60_000 })
    await expect.poll(() => page.getByTestId('epoch-table').locator('tbody tr').count(), { timeout: 240_000, interval: 500 }).toBeGreaterThanOrEqual(2)
    await expect.poll(() => page.getByTestId('run-page-status').textContent(), { timeout: 240_000, interval: 1000 }).toBe('completed')
    expect(await page.getByTestId('epoch-table').locator('tbody tr').count()).toBe(3)

    await page.goto(`${session.app.origin}/#/runs`)
    const row = page.getByTestId('runs-list').locator('tbody tr').first()
    await expect.poll(() => row.getByTestId('run-status').textContent()).toContain('completed')
    await page.close()
  }, 400_000)
})

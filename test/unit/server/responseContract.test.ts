import { describe, expect, it } from 'vitest'
import { createDispatcher, type Handlers } from '../../../src-main/api/router'
import { handlers } from '../../../src-main/api/handlers'
import type { ApiContext } from '../../../src-main/api/context'

const context = { workspace: { dir: '/nowhere', database: '/nowhere/featurelens.sqlite', source: 'flag' } } as unknown as ApiContext
// app.info returns an object; this one drops required fields, as a drifting handler would.
const drifting = { ...handlers, 'app.info': () => ({ version: 42 }) } as unknown as Handlers

describe('responses are checked against the contract', () => {
  it('throws in tests, naming the method and the field', async () => {
    const dispatch = createDispatcher(drifting, context, { responseCheck: 'throw' })
    await expect(dispatch('app.info', {})).rejects.toThrow(/app\.info response does not match the API contract: .*version/)
  })

  it('is strict by default under vitest, so every test that dispatches checks every response', async () => {
    await expect(createDispatcher(drifting, context)('app.info', {})).rejects.toThrow(/does not match the API contract/)
  })

  it('in production answers but says so once per method', async () => {
    const lines: string[] = []
    const dispatch = createDispatcher(drifting, context, { responseCheck: 'warn', warn: (line) => lines.push(line) })
    await expect(dispatch('app.info', {})).resolves.toEqual({ version: 42 })
    await dispatch('app.info', {})
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('app.info')
  })
})

import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startEngineHost, type EngineClient } from '../../src-main/engineProcess/engineClient'
import { tempDir } from '../support/workspace'

const projectRoot = new URL('../..', import.meta.url).pathname
const clients: EngineClient[] = []
afterAll(() => clients.forEach((c) => c.stop()))

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return false
  } catch {
    return true
  }
}

describe('the Electron engine host, under plain Node', () => {
  it('serves calls, reports a host killed mid-call as a failure, and serves the next call from a new host', async () => {
    const workspace = tempDir('fl-engine-')
    const events: string[] = []
    const client = startEngineHost(projectRoot, workspace, (name) => events.push(name))
    clients.push(client)

    const info = await client.call('app.info', {})
    expect(info.ok).toBe(true)
    expect((info as { value: { shell: string; workspace: { dir: string } } }).value).toMatchObject({ shell: 'electron', workspace: { dir: workspace } })
    const invalid = await client.call('backend.select', { name: 'quantum' })
    expect(invalid).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
    const firstPid = client.pid
    expect(firstPid).not.toBeNull()

    // A long call: generating synthetic faces, with progress events; kill the host once it is under way.
    const call = client.call('datasets.synthFaces', { out: join(mkdtempSync(join(tmpdir(), 'fl-faces-')), 'faces'), count: 20000, size: 64 })
    const deadline = Date.now() + 60_000
    while (!events.includes('datasets.progress') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect(events).toContain('datasets.progress')
    process.kill(firstPid!, 'SIGKILL')
    const reply = await call
    expect(reply).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringContaining('SIGKILL') } })

    const again = await client.call('runs.list', {})
    expect(again).toEqual({ ok: true, value: [] })
    expect(client.pid).not.toBe(firstPid)
    expect(processGone(firstPid!)).toBe(true)

    const pid = client.pid!
    client.stop()
    const stopped = Date.now() + 10_000
    while (!processGone(pid) && Date.now() < stopped) await new Promise((r) => setTimeout(r, 20))
    expect(processGone(pid)).toBe(true)
  }, 120_000)

  it('answers every call with the reason when the workspace cannot be opened', async () => {
    const file = join(tempDir('fl-engine-file-'), 'not-a-folder')
    writeFileSync(file, 'x')
    const client = startEngineHost(projectRoot, file, () => undefined)
    clients.push(client)
    const reply = await client.call('app.info', {})
    expect(reply).toMatchObject({ ok: false, error: { code: 'bad_input', message: expect.stringContaining(`${file} is a file, not a folder`) } })
    client.stop()
  }, 60_000)
})

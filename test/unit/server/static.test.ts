import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readStaticFile } from '../../../src-main/server/static'

function makeRoot(): { root: string; outside: string } {
  const base = mkdtempSync(join(tmpdir(), 'fl-static-'))
  const root = join(base, 'renderer')
  mkdirSync(join(root, 'assets'), { recursive: true })
  writeFileSync(join(root, 'index.html'), '<html>ok</html>')
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)')
  const outside = join(base, 'secret.txt')
  writeFileSync(outside, 'secret')
  symlinkSync(outside, join(root, 'assets', 'link.txt'))
  return { root, outside }
}

describe('static file serving', () => {
  it('serves files inside the root with their content type', async () => {
    const { root } = makeRoot()
    expect((await readStaticFile(root, '/'))?.body.toString()).toBe('<html>ok</html>')
    expect((await readStaticFile(root, '/assets/app.js'))?.contentType).toMatch(/javascript/)
  })

  it('refuses traversal in every spelling, and symlinks that leave the root', async () => {
    const { root } = makeRoot()
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..\\secret.txt', '/index.html%00', '/assets/link.txt', '/%E0%A4%A', '/assets']) {
      expect(await readStaticFile(root, path), path).toBeNull()
    }
  })
})

import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../support/workspace'

const projectRoot = new URL('../..', import.meta.url).pathname

/** `featurelens ARGS | head -0`: the reader has closed the pipe before the command writes. */
function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(projectRoot, 'bin', 'featurelens.mjs'), ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.destroy()
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    child.on('exit', (code) => resolve({ code, stderr }))
  })
}

describe('a closed stdout (featurelens … | head)', () => {
  it('ends every kind of command quietly, without an EPIPE stack trace', async () => {
    for (const args of [['--help'], ['arch', 'vgg16'], ['runs', 'list', '--workspace', tempDir('fl-epipe-')]]) {
      const result = await withClosedStdout(args)
      expect(result.stderr, args.join(' ')).toBe('')
      expect(result.code, args.join(' ')).toBe(0)
    }
  }, 60_000)
})

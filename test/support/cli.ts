import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const projectRoot = new URL('../..', import.meta.url).pathname

/** Runs `featurelens ARGS` as a user would, with a time limit. */
export function runFeaturelens(args: string[], timeoutMs = 60_000): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(projectRoot, 'bin', 'featurelens.mjs'), ...args], { cwd: projectRoot, encoding: 'utf8', timeout: timeoutMs })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const projectRoot = new URL('../..', import.meta.url).pathname

export interface ServedApp {
  url: string
  origin: string
  token: string
  port: number
  workspace: string
  process: ChildProcess
  output: () => string
  stop(): Promise<void>
}

/** Starts `featurelens serve --port 0` as a user would and waits for the URL it prints. */
export async function startServe(options: { workspace?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ServedApp> {
  const workspace = options.workspace ?? mkdtempSync(join(tmpdir(), 'featurelens-ws-'))
  const child = spawn(process.execPath, [join(projectRoot, 'bin', 'featurelens.mjs'), 'serve', '--port', '0', '--workspace', workspace], {
    cwd: projectRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not print a URL within 60 s:\n${output}`)), 60_000)
    child.stdout!.on('data', () => {
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`serve exited with ${code}:\n${output}`))
    })
  })
  const parsed = new URL(url)
  return {
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token')!,
    port: Number(parsed.port),
    workspace,
    process: child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      })
  }
}

import { fork, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import type { ApiErrorShape } from '../../src-shared/errors'
import { tsxLoader } from '../engine/train/tsxLoader'

export type EngineReply = { ok: true; value: unknown } | { ok: false; error: ApiErrorShape }
type HostMessage = ({ t: 'result'; id: number } & EngineReply) | { t: 'event'; name: string; payload: unknown } | { t: 'ready'; workspace: string }

export interface EngineClient {
  call(method: string, params: unknown): Promise<EngineReply>
  /** The engine process's id, or null while none runs (one starts on the next call). */
  readonly pid: number | null
  stop(): void
}

/**
 * Starts the engine host (engineHost.ts) under plain Node and relays calls to it. When it dies,
 * every call in flight is answered with an 'unavailable' error, and the next call starts a new one.
 */
export function startEngineHost(projectRoot: string, workspace: string | null, onEvent: (name: string, payload: unknown) => void): EngineClient {
  let child: ChildProcess | null = null
  let nextId = 1
  const pending = new Map<number, { host: ChildProcess; resolve: (reply: EngineReply) => void }>()
  const nodePath = process.env.npm_node_execpath || process.env.NODE || 'node'

  function failPending(host: ChildProcess, why: string): void {
    for (const [id, waiter] of pending) {
      if (waiter.host !== host) continue
      pending.delete(id)
      waiter.resolve({ ok: false, error: { code: 'unavailable', message: `the engine process stopped (${why}); it is restarted on the next call, try again` } })
    }
    if (child === host) child = null
  }

  function spawnHost(): ChildProcess {
    const args = workspace ? ['--workspace', workspace] : []
    const host = fork(join(projectRoot, 'src-main', 'engineProcess', 'engineHost.ts'), args, {
      execPath: nodePath,
      execArgv: ['--import', tsxLoader],
      cwd: projectRoot,
      serialization: 'advanced', // typed arrays cross as binary, not JSON
      env: { ...process.env, ELECTRON_RUN_AS_NODE: undefined }
    })
    host.on('message', (message: HostMessage) => {
      if (message.t === 'event') onEvent(message.name, message.payload)
      else if (message.t === 'result') {
        const waiter = pending.get(message.id)
        pending.delete(message.id)
        waiter?.resolve(message.ok ? { ok: true, value: message.value } : { ok: false, error: message.error })
      }
    })
    host.on('error', (err) => failPending(host, err.message))
    host.on('exit', (code, signal) => failPending(host, signal ?? `exit ${code}`))
    return host
  }

  return {
    call(method: string, params: unknown): Promise<EngineReply> {
      if (!child || child.exitCode !== null || child.signalCode !== null || !child.connected) child = spawnHost()
      const host = child
      const id = nextId++
      return new Promise<EngineReply>((resolve) => {
        pending.set(id, { host, resolve })
        host.send({ id, method, params }, (err) => {
          if (err) failPending(host, err.message)
        })
      })
    },
    get pid() {
      return child?.pid ?? null
    },
    stop(): void {
      if (child?.connected) child.disconnect()
      child = null
    }
  }
}

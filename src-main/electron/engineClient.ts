import { fork, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import type { ApiErrorShape } from '../../src-shared/errors'
import { tsxLoader } from '../engine/train/tsxLoader'

type Reply = { ok: true; value: unknown } | { ok: false; error: ApiErrorShape }
type HostMessage = ({ t: 'result'; id: number } & Reply) | { t: 'event'; name: string; payload: unknown } | { t: 'ready'; workspace: string }

/** Starts the engine host under plain Node and relays calls to it; restarts it if it dies. */
export function startEngineHost(projectRoot: string, workspace: string | null, onEvent: (name: string, payload: unknown) => void) {
  let child: ChildProcess | null = null
  let nextId = 1
  const pending = new Map<number, (reply: Reply) => void>()
  const nodePath = process.env.npm_node_execpath || process.env.NODE || 'node'

  function spawnHost(): ChildProcess {
    const args = workspace ? ['--workspace', workspace] : []
    const host = fork(join(projectRoot, 'src-main', 'server', 'engineHost.ts'), args, {
      execPath: nodePath,
      execArgv: ['--import', tsxLoader],
      cwd: projectRoot,
      serialization: 'advanced', // typed arrays cross as binary, not JSON
      env: { ...process.env, ELECTRON_RUN_AS_NODE: undefined }
    })
    host.on('message', (message: HostMessage) => {
      if (message.t === 'event') onEvent(message.name, message.payload)
      else if (message.t === 'result') {
        pending.get(message.id)?.(message)
        pending.delete(message.id)
      }
    })
    host.on('exit', (code, signal) => {
      for (const [id, resolve] of pending) {
        resolve({ ok: false, error: { code: 'unavailable', message: `the engine process stopped (${signal ?? `exit ${code}`}); it is being restarted, try again` } })
        pending.delete(id)
      }
      if (child === host) child = null
    })
    return host
  }

  return {
    call(method: string, params: unknown): Promise<Reply> {
      if (!child) child = spawnHost()
      const id = nextId++
      return new Promise<Reply>((resolve) => {
        pending.set(id, resolve)
        child!.send({ id, method, params })
      })
    },
    stop(): void {
      child?.disconnect()
      child = null
    }
  }
}

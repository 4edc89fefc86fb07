import { fork, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { events, type EventName } from '../../src-shared/contract'
import type { BridgeReply } from '../../src-shared/bridge'
import { ApiError } from '../../src-shared/errors'
import { createEndpoint, restartable } from '../../src-shared/rpc/endpoint'
import { processTransport } from '../../src-shared/rpc/nodePorts'
import { tsxLoader } from '../engine/tasks/tsxLoader'

export interface EngineClient {
  /** Answers as the preload bridge passes it on to the page. */
  call(method: string, params: unknown): Promise<BridgeReply>
  /** The engine process's id, or null while none runs (one starts on the next call). */
  readonly pid: number | null
  stop(): void
}

/**
 * Starts the engine host (engineHost.ts) under plain Node and relays calls to it; its events
 * are checked against the contract here, where they enter the shell. When it dies, every call
 * in flight is answered with an 'unavailable' error, and the next call starts a new one.
 */
export function startEngineHost(projectRoot: string, workspace: string | null, onEvent: (name: EventName, payload: unknown) => void): EngineClient {
  let child: ChildProcess | null = null
  const nodePath = process.env.npm_node_execpath || process.env.NODE || 'node'

  const host = restartable(() => {
    child = fork(join(projectRoot, 'src-main', 'engineProcess', 'engineHost.ts'), workspace ? ['--workspace', workspace] : [], {
      execPath: nodePath,
      execArgv: ['--import', tsxLoader],
      cwd: projectRoot,
      serialization: 'advanced', // typed arrays cross as binary, not JSON
      env: { ...process.env, ELECTRON_RUN_AS_NODE: undefined }
    })
    return createEndpoint(processTransport(child, 'parent'), {
      events,
      onEvent,
      unavailable: (why) => `the engine process stopped (${why}); it is restarted on the next call, try again`,
      peer: 'the engine process',
      onDropped: (problem) => process.stderr.write(`featurelens: from the engine process: ${problem}\n`)
    })
  })

  return {
    call: (method, params) =>
      host.get().call(method, params).then(
        (value): BridgeReply => ({ ok: true, value }),
        (err: unknown): BridgeReply => ({ ok: false, error: err instanceof ApiError ? err.toJSON() : { code: 'internal', message: String(err) } })
      ),
    get pid() {
      return host.current() ? (child?.pid ?? null) : null
    },
    stop: () => host.stop()
  }
}

/**
 * The engine host (started by engineClient.ts): a plain Node process that owns the workspace
 * (SQLite, tfjs, training jobs) for the Electron shell. Electron's main process relays validated
 * IPC calls to it, so native modules are built once, for Node, and the same code serves the CLI,
 * the web host and Electron.
 */
import { openApi, type OpenApi } from '../api/openApi'
import { toErrorShape } from '../api/router'

interface HostCall {
  id: number
  method: string
  params: unknown
}

const workspaceArg = process.argv.indexOf('--workspace')
let api: OpenApi | null = null
let openError: unknown = null
try {
  api = openApi({ workspace: workspaceArg > 0 ? process.argv[workspaceArg + 1] : null, shell: 'electron', role: 'host' })
  api.context.events.subscribe((name, payload) => process.send?.({ t: 'event', name, payload }))
} catch (err) {
  // A read-only, full or damaged workspace: every call is answered with why, instead of a crash loop.
  openError = err
}

process.on('message', async (message: HostCall) => {
  let reply: object
  try {
    if (!api) throw openError
    reply = { t: 'result', id: message.id, ok: true, value: (await api.dispatch(message.method, message.params)) ?? null }
  } catch (err) {
    reply = { t: 'result', id: message.id, ok: false, error: toErrorShape(err) }
  }
  try {
    process.send?.(reply)
  } catch (err) {
    // A value that cannot be serialised still gets an answer.
    process.send?.({ t: 'result', id: message.id, ok: false, error: toErrorShape(err) })
  }
})

process.on('disconnect', () => {
  api?.close()
  process.exit(0)
})
process.send?.({ t: 'ready', workspace: api?.context.workspace.dir ?? null })

/**
 * The engine host: a plain Node process that owns the workspace (SQLite, tfjs, training jobs)
 * for the Electron shell. Electron's main process relays validated IPC calls to it, so native
 * modules are built once, for Node, and the same code serves the CLI, the web host and Electron.
 */
import { openApi } from '../api/openApi'
import { toErrorShape } from '../api/router'

interface HostCall {
  id: number
  method: string
  params: unknown
}

const workspaceArg = process.argv.indexOf('--workspace')
const api = openApi({ workspace: workspaceArg > 0 ? process.argv[workspaceArg + 1] : null, shell: 'electron' })

api.context.events.subscribe((name, payload) => process.send?.({ t: 'event', name, payload }))

process.on('message', async (message: HostCall) => {
  try {
    const value = await api.dispatch(message.method, message.params)
    process.send?.({ t: 'result', id: message.id, ok: true, value: value ?? null })
  } catch (err) {
    process.send?.({ t: 'result', id: message.id, ok: false, error: toErrorShape(err) })
  }
})

process.on('disconnect', () => {
  api.close()
  process.exit(0)
})
process.send?.({ t: 'ready', workspace: api.context.workspace.dir })

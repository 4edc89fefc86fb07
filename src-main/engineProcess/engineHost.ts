/**
 * The engine host (started by engineClient.ts): a plain Node process that owns the workspace
 * (SQLite, tfjs, training jobs) for the Electron shell. Electron's main process relays the
 * page's calls to it, so native modules are built once, for Node, and the same code serves the
 * CLI, the web host and Electron. Its dispatcher validates each call against the contract.
 */
import { createEndpoint } from '../../src-shared/rpc/endpoint'
import { processTransport } from '../../src-shared/rpc/nodePorts'
import { openApi, type OpenApi } from '../api/openApi'
import { toErrorShape } from '../api/router'

const workspaceArg = process.argv.indexOf('--workspace')
let api: OpenApi | null = null
let openError: unknown = null
try {
  api = openApi({ workspace: workspaceArg > 0 ? process.argv[workspaceArg + 1] : null, shell: 'electron', role: 'host' })
} catch (err) {
  // A read-only, full or damaged workspace: every call is answered with why, instead of a crash loop.
  openError = err
}

const shell = createEndpoint(processTransport(process, 'child'), {
  serve: (method, params) => {
    if (!api) throw openError
    return api.dispatch(method, params)
  },
  toErrorShape
})
api?.context.events.subscribe((name, payload) => shell.emit(name, payload))

process.on('disconnect', () => {
  api?.close()
  process.exit(0)
})

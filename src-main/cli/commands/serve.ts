import { ApiError } from '../../../src-shared/errors'
import { openApi } from '../../api/openApi'
import { ensureRendererBuilt } from '../../server/rendererBuild'
import { rendererRoot } from '../../server/static'
import { createToken, writeTokenFile } from '../../server/token'
import { startWebHost } from '../../server/webHost'
import { intOption, parseCommandArgs } from '../args'
import type { Command } from '../command'

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1'])

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the Featurelens UI to a browser on this machine',
  usage: [
    'Usage: featurelens serve [--port N] [--workspace DIR] [--host ADDR]',
    '',
    'Serves the same UI as the desktop app on http://127.0.0.1:N and prints the URL to open.',
    'The URL carries a one-time token; the browser keeps it as a cookie.',
    '',
    '  --port N         port to listen on (default 7077; 0 picks a free one)',
    '  --workspace DIR  workspace directory (default: FEATURELENS_WORKSPACE, then the user-data directory)',
    '  --host ADDR      address to bind (default 127.0.0.1; only loopback addresses are allowed)'
  ].join('\n'),
  async run(args, io) {
    const { values } = parseCommandArgs('serve', args, {
      port: { type: 'string' },
      workspace: { type: 'string' },
      host: { type: 'string' }
    }, false)
    const port = intOption('port', values.port, 7077, 0)
    if (port > 65535) throw new ApiError('invalid_request', `--port must be at most 65535, got ${port}`)
    const host = values.host ?? '127.0.0.1'
    if (!LOOPBACK.has(host)) {
      throw new ApiError('invalid_request', `--host ${host} is not a loopback address; Featurelens serves only this machine. Reach it from elsewhere through an SSH tunnel (ssh -L ${port}:127.0.0.1:${port}).`)
    }
    const rendererDir = rendererRoot()
    ensureRendererBuilt(rendererDir, io.err)
    // Analyses run in a worker thread; FEATURELENS_ANALYSIS_WORKER=0 keeps them on the main thread (for comparison).
    const api = openApi({ workspace: values.workspace, shell: 'web', role: process.env.FEATURELENS_ANALYSIS_WORKER === '0' ? 'inline' : 'host' })
    const token = createToken()
    let webHost: Awaited<ReturnType<typeof startWebHost>>
    let tokenFile: string
    try {
      webHost = await startWebHost({ host, port, token, rendererDir, dispatch: api.dispatch, events: api.context.events })
    } catch (err) {
      api.close()
      throw err
    }
    try {
      tokenFile = writeTokenFile(api.context.workspace.dir, token, webHost.url)
    } catch (err) {
      // Nothing is served without its token file: stop listening, so the command exits non-zero.
      await webHost.close()
      api.close()
      throw err
    }
    io.out(`Featurelens is serving at ${webHost.url}`)
    io.out(`Open that URL in a browser. Workspace: ${api.context.workspace.dir} (token also in ${tokenFile})`)
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    await webHost.close()
    api.close()
    return 0
  }
}

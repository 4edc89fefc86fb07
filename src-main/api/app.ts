import { readFileSync } from 'node:fs'
import type { BackendName } from '../../src-shared/backend'
import { initBackend } from '../engine/backend/select'
import { readSetting, writeSetting } from '../engine/store/settings'
import type { Handler } from './router'

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version

export const appHandlers: { 'app.info': Handler<'app.info'>; 'backend.report': Handler<'backend.report'>; 'backend.select': Handler<'backend.select'> } = {
  'app.info': (_request, context) => ({
    version,
    shell: context.shell,
    workspace: { dir: context.workspace.dir, database: context.workspace.database, source: context.workspace.source },
    platform: `${process.platform}-${process.arch}`,
    node: process.versions.node
  }),
  // The user's choice in Settings is kept in the workspace and applies to this host and new runs.
  'backend.report': (_request, context) => initBackend(readSetting<BackendName>(context.db, 'backend')),
  'backend.select': async (request, context) => {
    const report = await initBackend(request.name, { force: true })
    writeSetting(context.db, 'backend', request.name)
    return report
  }
}

import { readFileSync } from 'node:fs'
import { initBackend } from '../engine/backend/select'
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
  'backend.report': () => initBackend(),
  'backend.select': async (request, context) => {
    const report = await initBackend(request.name, { force: true })
    context.db.prepare(`INSERT INTO settings (key, value) VALUES ('backend', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(JSON.stringify(request.name))
    return report
  }
}

import { openWorkspaceDb } from '../engine/store/database'
import { ensureWorkspaceDir, resolveWorkspace } from '../engine/store/workspace'
import { EventBus, type ApiContext } from './context'
import { handlers } from './handlers'
import { createDispatcher, type Dispatch } from './router'

export interface OpenApi {
  context: ApiContext
  dispatch: Dispatch
  close(): void
}

/** Opens the workspace and wires every handler to it: what both transports serve. */
export function openApi(options: { workspace?: string | null; shell: 'electron' | 'web' }): OpenApi {
  const workspace = resolveWorkspace(options.workspace)
  ensureWorkspaceDir(workspace)
  const db = openWorkspaceDb(workspace.database)
  const context: ApiContext = { shell: options.shell, workspace, db, events: new EventBus() }
  return {
    context,
    dispatch: createDispatcher(handlers, context),
    close: () => db.close()
  }
}

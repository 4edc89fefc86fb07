import { openWorkspaceDb } from '../engine/store/database'
import { markOrphanedRuns } from '../engine/store/runStore'
import { ensureWorkspaceDir, resolveWorkspace } from '../engine/store/workspace'
import { JobQueue } from '../engine/train/jobQueue'
import { RunModelCache } from '../engine/analysis/core/runModel'
import { DatasetCache } from '../engine/data/datasetCache'
import { EventBus, type ApiContext } from './context'
import { handlers } from './handlers'
import { preparePyramidsOnEpochs } from './inspectWeightData'
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
  markOrphanedRuns(db)
  const events = new EventBus()
  const jobs = new JobQueue(db, workspace.dir, {
    progress: (event) => events.emit('runs.progress', event),
    status: (event) => events.emit('runs.status', event),
    epoch: (event) => events.emit('runs.epoch', event)
  })
  const context: ApiContext = { shell: options.shell, workspace, db, events, jobs, models: new RunModelCache(), datasets: new DatasetCache() }
  const stopPreparing = preparePyramidsOnEpochs(context)
  return {
    context,
    dispatch: createDispatcher(handlers, context),
    close: () => {
      stopPreparing()
      db.close()
    }
  }
}

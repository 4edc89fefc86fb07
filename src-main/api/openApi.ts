import { openWorkspaceDb } from '../engine/store/database'
import { markOrphanedRuns } from '../engine/store/runStore'
import { ensureWorkspaceDir, resolveWorkspace } from '../engine/store/workspace'
import { JobQueue } from '../engine/train/jobQueue'
import { RunModelCache } from '../engine/models/storedModel'
import { DatasetCache } from '../engine/data/datasetCache'
import { EventBus, type ApiContext } from './context'
import { handlers } from './handlers'
import { preparePyramidsOnEpochs } from './pyramidsOnEpochs'
import { offloadAnalyses } from './offload'
import { createDispatcher, typedCall, type Call, type Dispatch } from './router'

export interface OpenApi {
  context: ApiContext
  dispatch: Dispatch
  /** `dispatch` typed by the contract (the CLI's way in). */
  call: Call
  close(): void
}

export interface OpenApiOptions {
  workspace?: string | null
  shell: 'electron' | 'web'
  /**
   * 'host': a long-lived host (web host, Electron's engine host) whose analyses run in a worker
   * thread so it stays responsive; 'worker': that worker itself; 'inline' (default, the CLI and
   * tests): everything on the calling thread.
   */
  role?: 'inline' | 'host' | 'worker'
}

/** Opens the workspace and wires every handler to it: what both transports serve. */
export function openApi(options: OpenApiOptions): OpenApi {
  const role = options.role ?? 'inline'
  const workspace = resolveWorkspace(options.workspace)
  ensureWorkspaceDir(workspace)
  const db = openWorkspaceDb(workspace.database)
  // Runs and their job processes belong to the main thread; a worker leaves them alone.
  if (role !== 'worker') markOrphanedRuns(db)
  const events = new EventBus()
  const jobs = new JobQueue(db, workspace.dir, {
    progress: (event) => events.emit('runs.progress', event),
    status: (event) => events.emit('runs.status', event),
    epoch: (event) => events.emit('runs.epoch', event)
  })
  const context: ApiContext = { shell: options.shell, workspace, db, events, jobs, models: new RunModelCache(), datasets: new DatasetCache() }
  const local = createDispatcher(handlers, context)
  const offloaded = role === 'host' ? offloadAnalyses(local, { workspace: workspace.dir, shell: options.shell }, events) : null
  const stopPreparing = role === 'worker' ? () => undefined : preparePyramidsOnEpochs(context, offloaded?.prepareEpoch)
  const dispatch = offloaded?.dispatch ?? local
  return {
    context,
    dispatch,
    call: typedCall(dispatch),
    close: () => {
      offloaded?.close()
      stopPreparing()
      db.close()
    }
  }
}

import type { DatasetCache } from '../../data/datasetCache'
import type { RunModelCache } from '../../models/storedModel'
import type { WorkspaceDb } from '../../store/database'

/** Where stored runs' models and datasets come from: the workspace and its caches. */
export interface RunSources {
  db: WorkspaceDb
  models: RunModelCache
  datasets: DatasetCache
}

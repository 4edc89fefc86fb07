import { z } from 'zod'
import { BackendName, BackendReport } from '../backend'

export const AppInfo = z.object({
  version: z.string(),
  /** 'electron' when the desktop shell hosts the UI, 'web' when the local web host does. */
  shell: z.enum(['electron', 'web']),
  workspace: z.object({
    dir: z.string(),
    database: z.string(),
    /** Where the workspace came from: --workspace, FEATURELENS_WORKSPACE or the user-data directory. */
    source: z.enum(['flag', 'env', 'user-data'])
  }),
  platform: z.string(),
  node: z.string()
})
export type AppInfo = z.infer<typeof AppInfo>

const empty = z.object({}).strict()

export const appMethods = {
  'app.info': { request: empty, response: AppInfo },
  'backend.report': { request: empty, response: BackendReport },
  /** Choose a backend for new work (training jobs). The report says whether it loaded. */
  'backend.select': { request: z.object({ name: BackendName.nullable() }).strict(), response: BackendReport }
} as const

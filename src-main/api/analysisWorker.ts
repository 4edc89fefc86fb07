/**
 * The analysis worker: a worker thread of the web host and the engine host that serves every API
 * method that does not need the main thread (see runsOnMain in offload.ts). It opens the same
 * workspace over its own SQLite connection, so long analyses compute here and the main thread
 * stays free to answer other clients and serve files.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { BackendName } from '../../src-shared/backend'
import { createEndpoint } from '../../src-shared/rpc/endpoint'
import { threadTransport } from '../../src-shared/rpc/nodePorts'
import { initBackend } from '../engine/backend/select'
import { readSetting } from '../engine/store/settings'
import { pyramidPreparer } from '../engine/analysis/weights/weightData'
import { openApi, type OpenApi } from './openApi'
import { toErrorShape } from './router'
import { toWorkerEvents, type WorkerSetup } from './offload'

const setup = workerData as WorkerSetup

let api: OpenApi | null = null
let openError: unknown = null
let prepareEpoch: ((runId: string, epoch: number) => void) | null = null
try {
  api = openApi({ workspace: setup.workspace, shell: setup.shell, role: 'worker' })
  prepareEpoch = pyramidPreparer(api.context.db)
  // The backend chosen in Settings, as on the main thread (backend.report); a failure shows there.
  initBackend(readSetting<BackendName>(api.context.db, 'backend')).catch(() => undefined)
} catch (err) {
  openError = err
}

if (parentPort) {
  const main = createEndpoint(threadTransport(parentPort), {
    serve: (method, params) => {
      if (!api) throw openError
      return api.dispatch(method, params)
    },
    events: toWorkerEvents,
    onEvent: (_name, { runId, epoch }) => prepareEpoch?.(runId, epoch),
    toErrorShape
  })
  api?.context.events.subscribe((name, payload) => {
    try {
      main.emit(name, payload)
    } catch {
      // An event that cannot cross threads is dropped, never fatal.
    }
  })
}

/**
 * The analysis worker: a worker thread of the web host and the engine host that serves every API
 * method that does not need the main thread (see runsOnMain in offload.ts). It opens the same
 * workspace over its own SQLite connection, so long analyses compute here and the main thread
 * stays free to answer other clients and serve files.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { BackendName } from '../../src-shared/backend'
import { initBackend } from '../engine/backend/select'
import { readSetting } from '../engine/store/settings'
import { pyramidPreparer } from '../engine/analysis/weights/weightData'
import { openApi, type OpenApi } from './openApi'
import { toErrorShape } from './router'
import type { WorkerReply, WorkerRequest, WorkerSetup } from './offload'

const port = parentPort
const setup = workerData as WorkerSetup
const post = (message: WorkerReply): void => port?.postMessage(message)

let api: OpenApi | null = null
let openError: unknown = null
let prepareEpoch: ((runId: string, epoch: number) => void) | null = null
try {
  api = openApi({ workspace: setup.workspace, shell: setup.shell, role: 'worker' })
  prepareEpoch = pyramidPreparer(api.context.db)
  // The backend chosen in Settings, as on the main thread (backend.report); a failure shows there.
  initBackend(readSetting<BackendName>(api.context.db, 'backend')).catch(() => undefined)
  api.context.events.subscribe((name, payload) => {
    try {
      post({ t: 'event', name, payload })
    } catch {
      // An event that cannot cross threads is dropped, never fatal.
    }
  })
} catch (err) {
  openError = err
}

port?.on('message', async (message: WorkerRequest) => {
  if (message.t === 'prepareEpoch') {
    prepareEpoch?.(message.runId, message.epoch)
    return
  }
  let reply: WorkerReply
  try {
    if (!api) throw openError
    reply = { t: 'result', id: message.id, ok: true, value: (await api.dispatch(message.method, message.params)) ?? null }
  } catch (err) {
    reply = { t: 'result', id: message.id, ok: false, error: toErrorShape(err) }
  }
  try {
    post(reply)
  } catch (err) {
    post({ t: 'result', id: message.id, ok: false, error: toErrorShape(err) })
  }
})

import { EventEmitter } from 'node:events'
import { events, isEventName, type EventName, type EventOf } from '../../src-shared/contract'
import { ApiError } from '../../src-shared/errors'
import type { WorkspaceDb } from '../engine/store/database'
import type { RunModelCache } from '../engine/models/storedModel'
import type { DatasetCache } from '../engine/data/datasetCache'
import type { JobQueue } from '../engine/train/jobQueue'
import type { WorkspaceLocation } from '../engine/store/workspace'

/**
 * Clients check each event as it reaches them and drop one that does not match the contract;
 * in tests (vitest sets VITEST) every event is also checked as it is emitted, so the test that
 * emits a bad one fails instead.
 */
const checkAtSource = Boolean(process.env.VITEST || process.env.FEATURELENS_STRICT_CONTRACT)

/** Events flow from handlers and jobs to every connected client, whichever transport. */
export class EventBus {
  private readonly emitter = new EventEmitter()
  constructor() {
    this.emitter.setMaxListeners(0)
  }
  emit<E extends EventName>(name: E, payload: EventOf<E>): void {
    const checked = checkAtSource ? events[name].safeParse(payload) : null
    if (checked && !checked.success) throw new ApiError('internal', `the ${name} event does not match the API contract: ${checked.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ')}`)
    this.emitter.emit('event', name, payload)
  }
  /** Passes on an event that came from another thread, unchecked: it is checked where a client receives it. */
  relay(name: string, payload: unknown): void {
    if (isEventName(name)) this.emitter.emit('event', name, payload)
  }
  subscribe(listener: (name: EventName, payload: unknown) => void): () => void {
    const relay = (name: EventName, payload: unknown): void => listener(name, payload)
    this.emitter.on('event', relay as (...args: unknown[]) => void)
    return () => this.emitter.off('event', relay as (...args: unknown[]) => void)
  }
}

/** What every handler module gets: the open workspace, the event bus and process facts. */
export interface ApiContext {
  shell: 'electron' | 'web'
  workspace: WorkspaceLocation
  db: WorkspaceDb
  events: EventBus
  jobs: JobQueue
  /** Run models by epoch, for the analysis views. */
  models: RunModelCache
  /** Opened datasets by folder and label. */
  datasets: DatasetCache
}

/** The Electron bridge: what the preload exposes to the page, and the IPC channel names main listens on. */
import type { EventName, MethodName, RequestOf } from './contract'
import type { ApiErrorShape } from './errors'

export type BridgeReply = { ok: true; value: unknown } | { ok: false; error: ApiErrorShape }

/** What the preload exposes as window.featurelens: one named function per API method, no raw IPC. */
export interface FeaturelensBridge {
  methods: { [M in MethodName]: (request: RequestOf<M>) => Promise<BridgeReply> }
  on(event: EventName, listener: (payload: unknown) => void): () => void
  /** Opens the native folder picker; null when the user cancels. */
  chooseFolder(): Promise<string | null>
  /** Opens an http(s) link in the system browser. */
  openExternal(url: string): Promise<void>
}

export const IPC_PREFIX = 'featurelens:'
export const EVENT_CHANNEL = 'featurelens-event'

import type { EventName, MethodName, RequestOf } from '../src-shared/contract'
import type { ApiErrorShape } from '../src-shared/errors'

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

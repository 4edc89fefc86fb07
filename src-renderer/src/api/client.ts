import type { ApiClient } from '../../../src-shared/contract'
import { createElectronClient } from './electronClient'
import { createWebSocketClient } from './webSocketClient'

/** Picks the transport once: the preload bridge inside Electron, the WebSocket in a browser. */
function createClient(): ApiClient {
  if (window.featurelens) return createElectronClient(window.featurelens)
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return createWebSocketClient(`${scheme}//${location.host}/ws`)
}

export const api: ApiClient = createClient()

import { contextBridge, ipcRenderer } from 'electron'
import { eventNames, methodNames, type EventName } from '../src-shared/contract'
import { EVENT_CHANNEL, IPC_PREFIX, type FeaturelensBridge } from '../src-shared/bridge'

// One named function per contract method, each on its own channel: the page never gets a
// generic invoke(channel, …) it could point at anything else.
const methods = Object.fromEntries(
  methodNames.map((name) => [name, (request: unknown) => ipcRenderer.invoke(IPC_PREFIX + name, request)])
) as FeaturelensBridge['methods']

const bridge: FeaturelensBridge = {
  methods,
  on(event: EventName, listener: (payload: unknown) => void) {
    if (!eventNames.includes(event)) throw new Error(`unknown event ${String(event)}`)
    const handler = (_e: unknown, name: string, payload: unknown): void => {
      if (name === event) listener(payload)
    }
    ipcRenderer.on(EVENT_CHANNEL, handler)
    return () => ipcRenderer.off(EVENT_CHANNEL, handler)
  },
  chooseFolder: () => ipcRenderer.invoke(IPC_PREFIX + 'shell.chooseFolder') as Promise<string | null>,
  openExternal: (url: string) => ipcRenderer.invoke(IPC_PREFIX + 'shell.openExternal', url) as Promise<void>
}

contextBridge.exposeInMainWorld('featurelens', bridge)

/**
 * Transports over Node's own channels, typed by shape so this module needs no Node import:
 * a worker thread (or its parentPort, or a MessagePort), and child-process IPC from either side.
 * Both carry structured clones, so typed arrays cross as binary as they are.
 */
import type { Transport } from './transport'

/** worker_threads: a Worker seen from its parent, the parentPort inside it, or a MessagePort. */
export interface ThreadPort {
  postMessage(message: unknown, transfer?: readonly ArrayBuffer[]): void
  on(event: 'message', listener: (message: unknown) => void): unknown
  on(event: 'error', listener: (err: Error) => void): unknown
  on(event: 'exit', listener: (code: number) => void): unknown
  on(event: 'close', listener: () => void): unknown
  close?(): void
  terminate?(): unknown
}

export function threadTransport(port: ThreadPort): Transport {
  return {
    send: (message, transfer) => port.postMessage(message, transfer),
    onMessage: (listener) => void port.on('message', listener),
    onClose(listener) {
      port.on('error', (err) => listener(err.message))
      port.on('exit', (code) => listener(`exit ${code}`))
      port.on('close', () => listener('its port closed'))
    },
    close() {
      if (port.terminate) void port.terminate()
      else port.close?.()
    }
  }
}

/** Child-process IPC: the ChildProcess seen from its parent, or `process` inside the child. */
export interface ProcessPort {
  send?(message: unknown, callback?: (error: Error | null) => void): boolean
  on(event: 'message', listener: (message: unknown) => void): unknown
  on(event: 'error', listener: (err: Error) => void): unknown
  on(event: 'exit', listener: (code: number | null, signal: string | null) => void): unknown
  on(event: 'disconnect', listener: () => void): unknown
  readonly connected?: boolean
  disconnect?(): void
}

/**
 * IPC with a child process (the parent's side) or with the parent (the child's side). The
 * peer is gone when the child exits (with its signal or code), the channel fails, or, in
 * the child, when the parent disconnects.
 */
export function processTransport(port: ProcessPort, side: 'parent' | 'child'): Transport {
  let closeListener: (why: string) => void = () => undefined
  return {
    send(message) {
      if (!port.send) throw new Error('this process has no IPC channel')
      port.send(message, (err) => {
        if (err) closeListener(err.message)
      })
    },
    onMessage: (listener) => void port.on('message', listener),
    onClose(listener) {
      closeListener = listener
      port.on('error', (err) => listener(err.message))
      if (side === 'parent') port.on('exit', (code, signal) => listener(signal ?? `exit ${code}`))
      else port.on('disconnect', () => listener('the parent process disconnected'))
    },
    close() {
      if (port.connected) port.disconnect?.()
    }
  }
}

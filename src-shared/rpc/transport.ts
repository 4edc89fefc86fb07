import type { MalformedMessage, RpcMessage } from './messages'

/**
 * The least an endpoint needs from a connection: worker_threads ports, child-process IPC and
 * WebSockets are each adapted to this (nodePorts.ts, the two WebSocket clients).
 */
export interface Transport {
  /**
   * Sends one message; throws when it cannot be encoded or sent (an ApiError is passed on as it
   * is). `transfer`: buffers to move rather than copy, where the channel can (worker threads).
   */
  send(message: RpcMessage, transfer?: ArrayBuffer[]): void
  /** Every message that arrives, decoded but not yet checked; a MalformedMessage for bytes that do not decode. */
  onMessage(listener: (message: unknown | MalformedMessage) => void): void
  /** The peer is gone, and why in words; the endpoint acts on the first report only. */
  onClose(listener: (why: string) => void): void
  /** Ends the connection from this side. */
  close(): void
}

import type { WebSocket } from 'ws'
import { WS_IDLE_CLOSE } from '../../src-shared/wire'
import type { EventBus } from '../api/context'
import type { Dispatch } from '../api/router'

/**
 * Closes a WebSocket (code WS_IDLE_CLOSE) once it has gone `idleMs` with no message from the
 * client, no call of its in flight and no event sent to it: an abandoned socket does not hold
 * the host's resources for ever. The page reconnects when it still listens for events.
 * Returns the dispatch to serve the socket's calls with, which keeps it open while they run.
 */
export function closeWhenIdle(ws: WebSocket, idleMs: number, events: EventBus, dispatch: Dispatch): Dispatch {
  let inFlight = 0
  let timer: NodeJS.Timeout | null = null
  const rearm = (): void => {
    if (timer) clearTimeout(timer)
    timer = inFlight > 0 || ws.readyState !== ws.OPEN ? null : setTimeout(() => ws.close(WS_IDLE_CLOSE, 'idle'), idleMs)
  }
  const unsubscribe = events.subscribe(rearm)
  ws.on('message', rearm)
  ws.on('close', () => {
    unsubscribe()
    if (timer) clearTimeout(timer)
  })
  rearm()
  return async (method, params) => {
    inFlight++
    rearm()
    try {
      return await dispatch(method, params)
    } finally {
      inFlight--
      rearm()
    }
  }
}

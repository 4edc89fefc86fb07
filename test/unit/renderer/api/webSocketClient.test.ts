import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import { ApiError } from '../../../../src-shared/errors'
import { EventBus } from '../../../../src-main/api/context'
import { attachWebSocketClient } from '../../../../src-main/server/webSocketClient'
import { createWebSocketClient } from '../../../../src-renderer/src/api/webSocketClient'

// The browser's WebSocket, as ws provides it under Node.
vi.stubGlobal('WebSocket', WebSocket)

let server: WebSocketServer
let url: string
const events = new EventBus()
const sockets: WebSocket[] = []

beforeAll(async () => {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' })
  await new Promise((resolve) => server.once('listening', resolve))
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`
  server.on('connection', (ws) => {
    sockets.push(ws)
    attachWebSocketClient(
      ws,
      async (method, params) => {
        if (method === 'task.cancel') return { cancelled: true, echo: params, map: new Float32Array([0.5, -1]) }
        throw new ApiError('not_found', `${String(method)}: nothing here`)
      },
      events
    )
  })
})
afterAll(async () => {
  server.clients.forEach((client) => client.terminate())
  await new Promise((resolve) => server.close(resolve))
})

describe("the browser's API client over the web host's WebSocket", () => {
  it('answers calls, typed arrays included, and passes on errors with their code', async () => {
    const api = createWebSocketClient(url)
    expect(await api.call('task.cancel', { taskId: 't1' })).toEqual({ cancelled: true, echo: { taskId: 't1' }, map: new Float32Array([0.5, -1]) })
    await expect(api.call('runs.list', {})).rejects.toMatchObject({ code: 'not_found', message: 'runs.list: nothing here' })
  })

  it('passes on events that match the contract and drops, with a console error, those that do not', async () => {
    const api = createWebSocketClient(url)
    const seen: unknown[] = []
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    api.on('task.progress', (p) => seen.push(p))
    await api.call('task.cancel', { taskId: 'connect' })
    const good = { taskId: 't2', task: 'occlusion map', done: 1, total: 4, rate: null, etaSeconds: null }
    events.relay('task.progress', { ...good, done: -3 })
    events.emit('task.progress', good)
    await expect.poll(() => seen.length).toBe(1)
    expect(seen[0]).toEqual(good)
    expect(errors).toHaveBeenCalledWith(expect.stringMatching(/^featurelens: event "task.progress" does not match its schema: done: /))
    errors.mockRestore()
  })

  it('fails a call in flight when the host closes the socket, and connects again on the next call', async () => {
    const api = createWebSocketClient(url)
    await api.call('task.cancel', { taskId: 'first' })
    const before = sockets.length
    const hanging = api.call('task.cancel', { taskId: 'x'.repeat(10) })
    sockets[before - 1].terminate()
    // The answer may or may not beat the close; a failure must name what happened.
    await hanging.catch((err: unknown) => expect(err).toMatchObject({ code: 'unavailable', message: 'the connection to the Featurelens host closed; reload the page' }))
    await expect.poll(() => sockets[before - 1].readyState).toBe(WebSocket.CLOSED)
    expect(await api.call('task.cancel', { taskId: 'again' })).toMatchObject({ cancelled: true })
    expect(sockets.length).toBe(before + 1)
  })

  it('refuses a request over the cap before sending it, naming the method and the size', async () => {
    const api = createWebSocketClient(url)
    await expect(api.call('task.cancel', { taskId: 'x'.repeat(2 * 1024 * 1024) })).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/^the task\.cancel request is larger than the 1 MiB .* \(it is 2\.0 MiB\)$/) })
  })

  it('says the host cannot be reached when nothing listens', async () => {
    const api = createWebSocketClient('ws://127.0.0.1:9')
    await expect(api.call('task.cancel', { taskId: 'nobody' })).rejects.toMatchObject({ code: 'unavailable', message: 'cannot reach the Featurelens host; is `featurelens serve` still running?' })
  })
})

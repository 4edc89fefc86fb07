import { MessageChannel, type MessagePort } from 'node:worker_threads'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ApiError } from '../../../../src-shared/errors'
import { createEndpoint, restartable, type EndpointOptions, type Payloads } from '../../../../src-shared/rpc/endpoint'
import { threadTransport } from '../../../../src-shared/rpc/nodePorts'
import { decodeMessage, encodeMessage } from '../../../../src-shared/wire'

const open: MessagePort[] = []
afterEach(() => open.splice(0).forEach((port) => port.close()))

function channel(): [MessagePort, MessagePort] {
  const { port1, port2 } = new MessageChannel()
  open.push(port1, port2)
  return [port1, port2]
}

/** Two endpoints over a real MessageChannel. */
function pair<A extends Payloads = Payloads, B extends Payloads = Payloads>(a: EndpointOptions<A>, b: EndpointOptions<B>) {
  const [left, right] = channel()
  return { client: createEndpoint(threadTransport(left), a), server: createEndpoint(threadTransport(right), b), left, right }
}

/** Messages as the peer sees them, for a side that talks raw to an endpoint. */
function collect(port: MessagePort): unknown[] {
  const seen: unknown[] = []
  port.on('message', (message) => seen.push(message))
  return seen
}

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms))

describe('the RPC endpoint', () => {
  it('answers each call by its id, however the answers are ordered, and carries typed arrays', async () => {
    const { client } = pair(
      {},
      {
        serve: async (method, params) => {
          if (method === 'slow') await tick(40)
          return { method, params }
        }
      }
    )
    const slow = client.call('slow', { n: 1 })
    const fast = client.call('fast', { data: new Float32Array([1.5, -2]) })
    const fastValue = await fast
    expect(fastValue).toEqual({ method: 'fast', params: { data: new Float32Array([1.5, -2]) } })
    expect(await slow).toEqual({ method: 'slow', params: { n: 1 } })
  })

  it('moves the buffers named in transfer instead of copying them', async () => {
    const { client } = pair({}, { serve: (_method, params) => params })
    const x = new Float32Array([1, 2, 3])
    const moved = client.call('echo', { x }, { transfer: [x.buffer] })
    expect(x.byteLength).toBe(0)
    expect(await moved).toEqual({ x: new Float32Array([1, 2, 3]) })
  })

  it('turns an error result into an ApiError with its code, and an unknown code into internal', async () => {
    const { client } = pair(
      {},
      {
        serve: (method) => {
          if (method === 'missing') throw new ApiError('not_found', 'run-x: no such run')
          throw new Error('disk on fire')
        },
        toErrorShape: (err) => (err instanceof ApiError ? err.toJSON() : { code: 'internal', message: `unexpected error: ${String(err)}` })
      }
    )
    await expect(client.call('missing', {})).rejects.toMatchObject({ name: 'ApiError', code: 'not_found', message: 'run-x: no such run' })
    await expect(client.call('other', {})).rejects.toMatchObject({ code: 'internal', message: expect.stringContaining('disk on fire') })

    const [left, right] = channel()
    const raw = createEndpoint(threadTransport(left))
    right.on('message', (m: { id: number }) => right.postMessage({ t: 'result', id: m.id, ok: false, error: { code: 'gremlins', message: 'odd' } }))
    await expect(raw.call('x', {})).rejects.toMatchObject({ code: 'internal', message: 'odd' })
  })

  it('fails every call in flight when the peer goes away, and every later call, with the reason', async () => {
    const { client, right } = pair({ unavailable: (why) => `the worker stopped (${why}); try again` }, { serve: () => new Promise(() => undefined) })
    const first = client.call('a', {})
    const second = client.call('b', {})
    await tick()
    right.close()
    await expect(first).rejects.toMatchObject({ code: 'unavailable', message: 'the worker stopped (its port closed); try again' })
    await expect(second).rejects.toMatchObject({ code: 'unavailable' })
    expect(client.closed).toBe(true)
    await expect(client.call('c', {})).rejects.toMatchObject({ code: 'unavailable', message: expect.stringContaining('its port closed') })
  })

  it('cancels a call: the caller gets "cancelled" at once, the server its signal, and a late answer is ignored', async () => {
    let aborted = false
    let finish: (value: string) => void = () => undefined
    const { client } = pair(
      {},
      {
        serve: (method, _params, signal) =>
          method !== 'long'
            ? method
            : new Promise((resolve) => {
                finish = resolve
                signal.addEventListener('abort', () => (aborted = true))
              })
      }
    )
    const controller = new AbortController()
    const call = client.call('long', {}, { signal: controller.signal })
    await tick()
    controller.abort()
    await expect(call).rejects.toMatchObject({ code: 'cancelled', message: 'long was cancelled' })
    await expect.poll(() => aborted).toBe(true)
    finish('too late')
    await tick()
    // The endpoint still works after the late answer.
    expect(await client.call('again', {}, { signal: new AbortController().signal })).toBe('again')
    await expect(client.call('pre-cancelled', {}, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'cancelled' })
    // An ApiError as the abort's reason is what the caller gets.
    const superseded = new AbortController()
    const replaced = client.call('long', {}, { signal: superseded.signal })
    superseded.abort(new ApiError('cancelled', 'a newer estimate replaced this one'))
    await expect(replaced).rejects.toMatchObject({ code: 'cancelled', message: 'a newer estimate replaced this one' })
  })

  it('answers messages that are not calls with an error when it serves untrusted clients, and drops them otherwise', async () => {
    const [left, right] = channel()
    createEndpoint(threadTransport(right), { serve: () => 'ok', answerStrays: true })
    const answers = collect(left)
    left.postMessage({ t: 'call', id: 7, method: 'm', params: {} })
    left.postMessage({ t: 'call', id: 'seven', method: 'm' })
    left.postMessage({ t: 'result', id: 9, name: 'x' })
    left.postMessage({ t: 'event', name: 'x', payload: 1 })
    left.postMessage(null)
    await expect.poll(() => answers.length).toBe(5)
    expect(answers[0]).toEqual({ t: 'result', id: 7, ok: true, value: 'ok' })
    expect(answers.slice(1)).toEqual([
      { t: 'result', id: -1, ok: false, error: { code: 'invalid_request', message: 'expected {t: "call", id, method, params}' } },
      { t: 'result', id: 9, ok: false, error: { code: 'invalid_request', message: 'expected {t: "call", id, method, params}' } },
      { t: 'result', id: -1, ok: false, error: { code: 'invalid_request', message: 'expected {t: "call", id, method, params}' } },
      { t: 'result', id: -1, ok: false, error: { code: 'invalid_request', message: 'expected {t: "call", id, method, params}' } }
    ])

    const [a, b] = channel()
    const dropped: string[] = []
    createEndpoint(threadTransport(b), { onDropped: (problem) => dropped.push(problem) })
    const replies = collect(a)
    a.postMessage({ t: 'result', ok: 'maybe' })
    a.postMessage({ t: 'result', id: 123, ok: true, value: 1 })
    await expect.poll(() => dropped.length).toBe(1)
    expect(dropped[0]).toMatch(/^not a message: /)
    await tick()
    expect(replies).toEqual([])
  })

  it('refuses a call it cannot send, naming the method and the peer, and keeps working', async () => {
    const { client } = pair({ peer: 'the analysis worker' }, { serve: () => 'fine' })
    await expect(client.call('inspect.thing', { fn: () => 1 })).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/^the inspect\.thing request cannot be sent to the analysis worker: /) })
    expect(await client.call('next', {})).toBe('fine')
  })

  it('answers with an error when a result cannot be sent', async () => {
    const { client } = pair({}, { serve: () => ({ fn: () => 1 }) })
    await expect(client.call('bad', {})).rejects.toMatchObject({ code: 'internal', message: expect.stringContaining('could not be cloned') })
  })

  it('checks each event against its schema: passes the parsed payload, drops a bad one and an unknown one', async () => {
    const received: [string, unknown][] = []
    const dropped: string[] = []
    const { server } = pair(
      {
        events: { progress: z.object({ done: z.number().nonnegative(), total: z.number() }) },
        onEvent: (name, payload) => received.push([name, payload]),
        onDropped: (problem) => dropped.push(problem)
      },
      {}
    )
    server.emit('progress', { done: 1, total: 4, extra: 'stripped' })
    server.emit('progress', { done: -1, total: 4 })
    server.emit('somethingElse', {})
    await expect.poll(() => dropped.length).toBe(2)
    await tick()
    expect(received).toEqual([['progress', { done: 1, total: 4 }]])
    expect(dropped).toEqual(['event "progress" does not match its schema: done: Too small: expected number to be >=0', 'unexpected event "somethingElse"'])
  })

  it('starts a new endpoint on the next use after its peer went away', async () => {
    const ports: MessagePort[] = []
    const link = restartable(() => {
      const [left, right] = channel()
      ports.push(right)
      createEndpoint(threadTransport(right), { serve: () => ports.length })
      return createEndpoint(threadTransport(left))
    })
    expect(await link.get().call('which', {})).toBe(1)
    ports[0].close()
    await expect.poll(() => link.current()).toBeNull()
    expect(await link.get().call('which', {})).toBe(2)
    link.stop()
    expect(link.current()).toBeNull()
  })
})

describe('the WebSocket message encoding', () => {
  it('sends plain messages as JSON text and messages with typed arrays as binary frames', () => {
    const plain = { t: 'call', id: 1, method: 'app.info', params: {} }
    expect(encodeMessage(plain)).toBe(JSON.stringify(plain))
    const binary = { t: 'result', id: 2, ok: true, value: { map: new Float32Array([0.25, 1]), ids: new Int32Array([3]) } }
    const frame = encodeMessage(binary)
    expect(frame).toBeInstanceOf(Uint8Array)
    expect(decodeMessage(frame)).toEqual(binary)
    expect(() => decodeMessage('{not json')).toThrow(SyntaxError)
  })
})

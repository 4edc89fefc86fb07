import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import WebSocket from 'ws'
import { decodeFrame } from '../../src-shared/wire'
import { TrainConfig } from '../../src-shared/run'
import { initBackend } from '../../src-main/engine/backend/select'
import { generateSyntheticFaces } from '../../src-main/engine/data/synthFaces/generate'
import { openWorkspaceDb } from '../../src-main/engine/store/database'
import { buildModel } from '../../src-main/engine/models/buildModel'
import { rawRequest } from './http'
import { driftingWeights, storeRun } from './storedRun'
import { tempDir } from './workspace'

/**
 * A workspace with a Smiling and a Male run of a narrow VGG-11 on synthetic faces, `epochs`
 * stored epochs each (drifting weights, no training): enough for a CKA-across-epochs analysis
 * that runs for many seconds on two cores.
 */
export async function workspaceForLongAnalysis(options: { faces?: number; epochs?: number } = {}): Promise<{ workspace: string; a: string; b: string }> {
  await initBackend()
  const root = tempDir('fl-long-')
  const faces = join(root, 'faces')
  await generateSyntheticFaces(faces, { count: options.faces ?? 300, size: 32, seed: 7 })
  const workspace = join(root, 'workspace')
  mkdirSync(workspace)
  const db = openWorkspaceDb(join(workspace, 'featurelens.sqlite'))
  const ids: string[] = []
  for (const attribute of ['Smiling', 'Male']) {
    const config = TrainConfig.parse({ dataset: faces, model: { name: 'vgg11', widthMultiplier: 0.25 }, label: { kind: 'attribute', attribute }, epochs: (options.epochs ?? 6) - 1, seed: 42 })
    const model = await buildModel(config.model, { height: 32, width: 32, channels: 3 }, 2, 'softmax', 42)
    ids.push(storeRun(db, model, options.epochs ?? 6, driftingWeights, config))
  }
  db.close()
  return { workspace, a: ids[0], b: ids[1] }
}

export interface Responsiveness {
  /** Latencies (ms) of app.info over HTTP and of a static file, while the analysis ran. */
  api: number[]
  files: number[]
  /** From sending task.cancel to the analysis call's answer, ms. */
  cancelMs: number
  /** The analysis call's answer. */
  result: { ok?: boolean; error?: { code: string; message: string } } | undefined
}

interface Message {
  t: string
  id?: number
  ok?: boolean
  error?: { code: string; message: string }
  name?: string
}

function openSocket(port: number, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { Cookie: `featurelens_token_${port}=${token}` } })
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

export const percentile = (values: number[], p: number): number => [...values].sort((x, y) => x - y)[Math.min(values.length - 1, Math.floor(p * values.length))]

/**
 * Starts compare.ckaEpochs on a served workspace from one client, times app.info and a static
 * file from another while it runs (`probeMs`), then cancels it and times the cancel.
 */
export async function measureDuringAnalysis(port: number, token: string, runs: { a: string; b: string }, probeMs = 4000): Promise<Responsiveness> {
  const ws = await openSocket(port, token)
  const messages: Message[] = []
  // Results that carry arrays come as binary frames; both kinds are read, so an analysis that
  // ended before the probe is seen as ended, not as a cancel that never came back.
  ws.on('message', (data, isBinary) => {
    messages.push((isBinary ? decodeFrame(new Uint8Array(data as Buffer)) : JSON.parse(data.toString())) as Message)
  })
  const answer = () => messages.find((m) => m.t === 'result' && m.id === 1)
  const taskId = `long-cka-${Date.now()}`
  ws.send(JSON.stringify({ t: 'call', id: 1, method: 'compare.ckaEpochs', params: { a: runs.a, b: runs.b, examples: { count: 256, seed: 0 }, taskId } }))
  const underWay = Date.now() + 120_000
  while (!messages.some((m) => m.t === 'event' && m.name === 'task.progress') && Date.now() < underWay) await new Promise((r) => setTimeout(r, 20))
  if (answer()) throw new Error('the analysis ended before it could be measured')

  const api: number[] = []
  const files: number[] = []
  const cookie = { Cookie: `featurelens_token_${port}=${token}` }
  const probeUntil = Date.now() + probeMs
  while (Date.now() < probeUntil && !answer()) {
    let t = performance.now()
    const info = await rawRequest(port, { path: '/api/app.info', method: 'POST', headers: cookie, body: '{}' })
    api.push(performance.now() - t)
    if (info.status !== 200) throw new Error(`app.info answered ${info.status}`)
    t = performance.now()
    const page = await rawRequest(port, { path: '/index.html', headers: cookie })
    files.push(performance.now() - t)
    if (page.status !== 200) throw new Error(`index.html answered ${page.status}`)
    await new Promise((r) => setTimeout(r, 50))
  }

  const cancelledAt = performance.now()
  const other = await openSocket(port, token)
  other.send(JSON.stringify({ t: 'call', id: 2, method: 'task.cancel', params: { taskId } }))
  const cancelDeadline = Date.now() + 60_000
  while (!answer() && Date.now() < cancelDeadline) await new Promise((r) => setTimeout(r, 5))
  const cancelMs = performance.now() - cancelledAt
  other.close()
  ws.close()
  return { api, files, cancelMs, result: answer() }
}

export function describeResponsiveness(r: Responsiveness): string {
  return (
    `app.info p50 ${percentile(r.api, 0.5).toFixed(0)} ms, p95 ${percentile(r.api, 0.95).toFixed(0)} ms, max ${Math.max(...r.api).toFixed(0)} ms (${r.api.length} calls); ` +
    `static file p50 ${percentile(r.files, 0.5).toFixed(0)} ms, max ${Math.max(...r.files).toFixed(0)} ms; cancel ${r.cancelMs.toFixed(0)} ms`
  )
}

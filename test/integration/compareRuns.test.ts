import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TaskProgress } from '../../src-shared/api/tasks'
import type { CkaEpochsResult, CkaResult, CompareOverview } from '../../src-shared/compare'
import { ApiError } from '../../src-shared/errors'
import { trainFacePair, type FacePair } from '../support/facePair'

const bin = fileURLToPath(new URL('../../bin/featurelens.mjs', import.meta.url))
let pair: FacePair

// A narrow VGG-11 trained twice on the same 400 faces, once per label (seed 004), two epochs:
// small enough for two cores. The runs do not learn their labels in that time, but they have
// already diverged, and that is what CKA measures here.
beforeAll(async () => {
  pair = await trainFacePair({ count: 400, size: 32, epochs: 2, lr: 1e-3 })
}, 900_000)
afterAll(() => pair?.api.close())

const dispatch = <T>(method: string, request: unknown) => pair.api.dispatch(method, request) as Promise<T>
const examples = { split: 'train' as const, count: 128, seed: 0 }

/** Spearman rank correlation (no ties expected). */
function spearman(x: number[], y: number[]): number {
  const rank = (v: number[]) => {
    const order = v.map((value, i) => ({ value, i })).sort((a, b) => a.value - b.value)
    const r = new Array<number>(v.length)
    order.forEach((o, k) => (r[o.i] = k))
    return r
  }
  const [rx, ry] = [rank(x), rank(y)]
  const n = x.length
  const d2 = rx.reduce((s, r, i) => s + (r - ry[i]) ** 2, 0)
  return 1 - (6 * d2) / (n * (n * n - 1))
}

async function featurelens(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], { timeout: 300_000 })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

describe('comparing a Smiling/Male run pair on synthetic faces', () => {
  it('describes both runs, their shared epochs, layers and evidence regions', async () => {
    const o = await dispatch<CompareOverview>('compare.overview', { a: pair.a.id, b: pair.b.id })
    expect(o.problem).toBeNull()
    expect(o.samePair).toBe(true)
    expect(o.commonEpochs).toEqual([0, 1, 2])
    expect(o.commonLayers).toContain('block3_conv1')
    expect(o.commonWeights).toContain('fc2/kernel')
    expect(o.dataset.evidence).toEqual(['Smiling', 'Male', 'Eyeglasses'])
    expect(o.a.epochs.length).toBe(3)
  })

  it('shows per-layer CKA between the runs falling with depth, and caches it', async () => {
    const r = await dispatch<CkaResult>('compare.cka', { a: pair.a.id, b: pair.b.id, examples })
    const values = r.perLayer.map((p) => p.cka)
    console.log(`per-layer CKA, Smiling vs Male (${r.method.examples} ${r.method.split} examples, ${r.method.estimator}): ${r.perLayer.map((p) => `${p.layer} ${p.cka?.toFixed(3)}`).join(', ')}`)
    expect(values.every((v) => v !== null && v >= 0 && v <= 1)).toBe(true)
    const cka = values as number[]
    expect(r.method).toMatchObject({ estimator: 'full', examples: 128, split: 'train', cached: false })
    // Trained from the same initial weights: the first layers hardly moved apart, the last did.
    expect(cka[0]).toBeGreaterThan(0.95)
    expect(spearman(cka.map((_, i) => i), cka)).toBeLessThan(-0.8)
    const head = cka.slice(0, 4).reduce((s, v) => s + v, 0) / 4
    const tail = cka.slice(-4).reduce((s, v) => s + v, 0) / 4
    expect(head - tail).toBeGreaterThan(0.2)
    // A run against itself: a unit diagonal.
    const L = r.layersA.length
    for (let i = 0; i < L; i++) expect(r.selfA[i * L + i]).toBeCloseTo(1, 5)

    const again = await dispatch<CkaResult>('compare.cka', { a: pair.a.id, b: pair.b.id, examples })
    expect(again.method.cached).toBe(true)
    expect(Array.from(again.cross)).toEqual(Array.from(r.cross))
  }, 300_000)

  it('tracks CKA across epochs: identical at epoch 0, apart at the last', async () => {
    const r = await dispatch<CkaEpochsResult>('compare.ckaEpochs', { a: pair.a.id, b: pair.b.id, examples: { ...examples, count: 96 } })
    expect(r.epochs).toEqual([0, 1, 2])
    const E = 3
    const last = r.layers.length - 1
    for (let l = 0; l <= last; l++) {
      expect(r.aVsB[l * E]).toBeCloseTo(1, 5) // same seed, same initial weights
      expect(r.vsFinalA[l * E + 2]).toBeCloseTo(1, 5)
      expect(r.vsFinalB[l * E + 2]).toBeCloseTo(1, 5)
    }
    expect(r.aVsB[last * E + 2]).toBeLessThan(r.aVsB[0 * E + 2])
  }, 300_000)

  it('prints the matrix and per-layer summary with featurelens compare, the same numbers as the API', async () => {
    const workspace = pair.api.context.workspace.dir
    const common = [pair.a.id, pair.b.id, '--workspace', workspace, '--examples', '128', '--split', 'train']
    const [json, text] = await Promise.all([featurelens('compare', ...common, '--json'), featurelens('compare', ...common)])
    expect(json.stderr).toBe('')
    expect(json.code).toBe(0)
    const out = JSON.parse(json.stdout)
    const api = await dispatch<CkaResult>('compare.cka', { a: pair.a.id, b: pair.b.id, examples })
    expect(out.method.cached).toBe(true)
    expect(out.perLayer.map((p: { cka: number }) => p.cka)).toEqual(api.perLayer.map((p) => p.cka))
    expect(out.matrix).toHaveLength(api.layersA.length)
    expect(out.matrix[0][0]).toBeCloseTo(api.cross[0], 5)
    expect(text.code).toBe(0)
    expect(text.stdout).toContain('Per layer: CKA of A against B at the same layer')
    expect(text.stdout).toContain('Layer × layer CKA (rows: layers of A, columns: layers of B')
    expect(text.stdout).toMatch(/block1_conv1 +32×32×16 +(0\.9\d\d|1\.000)/)

    const usage = await featurelens('compare', pair.a.id, '--workspace', workspace)
    expect(usage.code).toBe(2)
    expect(usage.stderr).toMatch(/needs two run ids, RUN_A and RUN_B/)
  }, 300_000)

  it('cancels a running comparison on request', async () => {
    const taskId = 'cancel-me'
    const off = pair.api.context.events.subscribe((name, payload) => {
      if (name === 'task.progress' && (payload as TaskProgress).taskId === taskId) void pair.api.dispatch('task.cancel', { taskId })
    })
    try {
      await expect(dispatch('compare.cka', { a: pair.a.id, b: pair.b.id, examples: { ...examples, seed: 99 }, taskId })).rejects.toMatchObject({ code: 'cancelled' })
    } finally {
      off()
    }
    expect(await dispatch('task.cancel', { taskId })).toEqual({ cancelled: false })
  }, 120_000)

  it('rejects bad requests with a message that names the input', async () => {
    const [a, b] = [pair.a.id, pair.b.id]
    const cases: [unknown, RegExp][] = [
      [{ a, b: a }, /a and b are both run .*; choose two different runs/],
      [{ a, b: 'run-nope' }, /no run with id "run-nope"/],
      [{ a, b, epoch: 7 }, /epoch: 7 is not stored for both runs; epochs both have are 0 to 2/],
      [{ a, b, layers: ['nope'] }, /layers: run A has no layer "nope"/],
      [{ a, b, examples: { split: 'all', count: 32 } }, /examples.split: the dataset .* has no "all" split/],
      [{ a, b, examples: { count: 2 } }, /examples.count: CKA needs at least 4 examples/]
    ]
    for (const [request, message] of cases) {
      const err = await dispatch('compare.cka', request).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ApiError)
      expect((err as ApiError).message).toMatch(message)
    }
  })
})

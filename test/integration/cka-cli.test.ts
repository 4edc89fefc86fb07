import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { linearCka } from '../../src-main/engine/analysis/cka/cka'
import { encodeNpy, writeNpy } from '../../src-main/engine/data/npy'
import { matmul, randomMatrix, randomOrthogonal, relatedMatrix } from '../unit/engine/analysis/randomMatrices'

const bin = fileURLToPath(new URL('../../bin/featurelens.mjs', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'featurelens-cka-cli-'))
const file = (name: string) => join(dir, name)

interface Run {
  code: number
  stdout: string
  stderr: string
}

async function featurelens(...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], { timeout: 60_000 })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

const x = randomMatrix(120, 20, 1)
const y = relatedMatrix(x, 9, 0.4, 2)

beforeAll(async () => {
  await writeNpy(file('a.npy'), Float32Array.from(x.data), [120, 20])
  await writeNpy(file('b.npy'), y.data, [120, 9])
  // The same activations rotated and stored as [n, 2, 2, 5] maps, so rows × rest flattening is used.
  await writeNpy(file('a_rot.npy'), matmul(x, randomOrthogonal(20, 3)).data, [120, 2, 2, 5])
  await writeNpy(file('short.npy'), new Float64Array(100 * 9), [100, 9])
  const withNan = Float64Array.from(y.data)
  withNan[9 * 5 + 2] = NaN
  writeFileSync(file('nan.npy'), encodeNpy(withNan, [120, 9]))
  writeFileSync(file('acts.csv'), '1,2,3\n4,5,6\n')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('featurelens cka', () => {
  it('prints CKA and both shapes', async () => {
    const r = await featurelens('cka', '--a', file('a.npy'), '--b', file('b.npy'))
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const expected = linearCka({ ...x, data: Float32Array.from(x.data) }, y)
    expect(r.stdout).toContain(`linear CKA  ${expected.toFixed(6)}`)
    expect(r.stdout).toMatch(/A {2}.*a\.npy {2}120 × 20 {2}float32/)
    expect(r.stdout).toMatch(/B {2}.*b\.npy {2}120 × 9 {2}float64/)
  })

  it('prints JSON with --json, flattening N-D arrays to rows × rest', async () => {
    const r = await featurelens('cka', '--a', file('a.npy'), '--b', file('a_rot.npy'), '--json')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.cka).toBeCloseTo(1, 6)
    expect(out.method).toBe('full')
    expect(out.examples).toBe(120)
    expect(out.a).toMatchObject({ shape: [120, 20], dtype: 'float32', rows: 120, features: 20 })
    expect(out.b).toMatchObject({ shape: [120, 2, 2, 5], dtype: 'float64', rows: 120, features: 20 })
  })

  it('uses the minibatch estimator with --batch', async () => {
    const r = await featurelens('cka', '--a', file('a.npy'), '--b', file('b.npy'), '--batch', '40', '--json')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({ method: 'minibatch', batchSize: 40, batches: 3, seed: 0 })
    expect(Math.abs(out.cka - linearCka(x, y))).toBeLessThan(0.1)
  })

  it('rejects differing row counts, NaNs and non-npy files with one line', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--a', file('a.npy'), '--b', file('short.npy')], /a\.npy has 120 rows but .*short\.npy has 100; rows are examples/],
      [['--a', file('a.npy'), '--b', file('nan.npy')], /nan\.npy: contains NaN at row 5, column 2/],
      [['--a', file('acts.csv'), '--b', file('b.npy')], /acts\.csv: is not a NumPy \.npy file/],
      [['--a', file('missing.npy'), '--b', file('b.npy')], /missing\.npy: no such file/]
    ]
    const runs = await Promise.all(cases.map(([args]) => featurelens('cka', ...args)))
    for (const [i, [, pattern]] of cases.entries()) {
      const r = runs[i]
      expect(r.code).toBe(1)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(/^featurelens cka: /)
      expect(r.stderr).toMatch(pattern)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    }
  }, 120_000)

  it('rejects missing options and bad --batch as usage errors', async () => {
    const [missing, batch, help] = await Promise.all([
      featurelens('cka', '--a', file('a.npy')),
      featurelens('cka', '--a', file('a.npy'), '--b', file('b.npy'), '--batch', 'two'),
      featurelens('cka', '--help')
    ])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/both --a and --b are required/)
    expect(batch.code).toBe(2)
    expect(batch.stderr).toMatch(/--batch must be a whole number/)
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^Usage: featurelens cka --a A\.npy --b B\.npy/)
  }, 120_000)
})

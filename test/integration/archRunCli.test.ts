import * as tf from '@tensorflow/tfjs'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ArchitectureTable } from '../../src-shared/architecture'
import { initBackend } from '../../src-main/engine/backend/select'
import { openWorkspaceDb } from '../../src-main/engine/store/database'
import { storeRun } from '../support/storedRun'
import { tempDir } from '../support/workspace'

const bin = fileURLToPath(new URL('../../bin/featurelens.mjs', import.meta.url))
const workspace = tempDir('fl-arch-run-')
let runId: string

async function featurelens(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], { timeout: 60_000 })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

beforeAll(async () => {
  await initBackend()
  // A dilated conv, then two stride-2 stages: the field grows 5 → 6 → 10 pixels, the jump 1 → 2 → 4.
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same', name: 'dilated' }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
      tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'valid', name: 'strided' }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ units: 2, activation: 'softmax', name: 'predictions' })
    ]
  })
  const db = openWorkspaceDb(`${workspace}/featurelens.sqlite`)
  runId = storeRun(db, model, 1)
  db.close()
})

describe('featurelens arch RUN_ID', () => {
  it("prints the run's own architecture with receptive fields, as text and as JSON", async () => {
    const json = await featurelens('arch', runId, '--workspace', workspace, '--json')
    expect(json.stderr).toBe('')
    const table = JSON.parse(json.stdout) as ArchitectureTable
    expect(table.rows.map((r) => r.name)).toEqual(['dilated_input', 'dilated', 'pool', 'strided', 'flatten', 'predictions'])
    const field = (name: string) => table.rows.find((r) => r.name === name)!.receptiveField?.height
    expect(field('dilated')).toMatchObject({ size: 5, jump: 1 })
    expect(field('pool')).toMatchObject({ size: 6, jump: 2 })
    expect(field('strided')).toMatchObject({ size: 10, jump: 4 })
    expect(table.rows.find((r) => r.name === 'strided')!.outputShape).toEqual([7, 7, 4])

    const text = await featurelens('arch', runId, '--workspace', workspace)
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/strided\s+Conv2D\s+3x3\s+2\s+valid 0\s+7x7x4/)
  }, 90_000)

  it('names a missing run and refuses options that do not apply to a run', async () => {
    const missing = await featurelens('arch', 'run-20990101-000000', '--workspace', workspace)
    expect(missing.code).not.toBe(0)
    expect(missing.stderr).toMatch(/no run with id "run-20990101-000000" in this workspace/)
    const input = await featurelens('arch', runId, '--workspace', workspace, '--input', '64')
    expect(input.stderr).toMatch(/--input does not apply to a run/)
  }, 90_000)
})

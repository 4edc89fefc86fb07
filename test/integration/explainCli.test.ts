import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { TrainConfig } from '../../src-shared/run'
import { initBackend } from '../../src-main/engine/backend/select'
import { buildModel } from '../../src-main/engine/models/index'
import { openWorkspaceDb } from '../../src-main/engine/store/database'
import { driftingWeights, storeRun } from '../support/storedRun'
import { tempDir } from '../support/workspace'

const bin = fileURLToPath(new URL('../../bin/featurelens.mjs', import.meta.url))
const workspace = tempDir('fl-explain-cli-')
const out = tempDir('fl-explain-out-')
let runId: string

async function featurelens(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args, '--workspace', workspace], { timeout: 120_000 })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

beforeAll(async () => {
  await initBackend()
  const config = TrainConfig.parse({ dataset: 'mnist', model: { name: 'lenet5' }, epochs: 1 })
  const db = openWorkspaceDb(join(workspace, 'featurelens.sqlite'))
  runId = storeRun(db, await buildModel(config.model, { height: 28, width: 28, channels: 1 }, 10, 'softmax', 3), 2, driftingWeights, config)
  db.close()
}, 120_000)

describe('featurelens explain, top9 and invariance', () => {
  it('writes occlusion maps as PNG files and names their colour maps and scales in the JSON', async () => {
    const r = await featurelens('explain', runId, '--image', '0', '--method', 'occlusion', '--patch', '7', '--stride', '7', '--out', out, '--json')
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const j = JSON.parse(r.stdout) as { maps: { name: string; file: string; colormap: string; min: number | null; max: number | null; width: number; enlarged: number }[]; probability: number[]; legend: unknown[]; class: number }
    expect(j.maps.map((m) => m.name)).toEqual(['occlusion-activation', 'occlusion-probability', 'occlusion-label'])
    expect(j.maps[1]).toMatchObject({ colormap: 'viridis', min: 0, max: 1, width: 4 })
    expect(j.maps[2].colormap).toBe('categorical (legend)')
    expect(j.probability).toHaveLength(16)
    expect(j.legend.length).toBeGreaterThan(0)
    for (const m of j.maps) {
      const meta = await sharp(m.file).metadata()
      expect([meta.format, meta.width]).toEqual(['png', 4 * m.enlarged])
    }
  })

  it('writes Grad-CAM, saliency and deconvnet maps; names the bad value', async () => {
    const cam = JSON.parse((await featurelens('explain', runId, '--image', '1', '--method', 'gradcam', '--layer', 'c3', '--out', out, '--json')).stdout) as { maps: { colormap: string }[]; layer: string }
    expect([cam.layer, cam.maps[0].colormap]).toEqual(['c3', 'magma'])
    const deconv = await featurelens('explain', runId, '--image', '1', '--method', 'deconv', '--layer', 'c3', '--channel', '4', '--out', out)
    expect(deconv.code).toBe(0)
    expect(deconv.stdout).toContain('deconv.png')
    expect(existsSync(join(out, 'deconv.png'))).toBe(true)
    const bad = await featurelens('explain', runId, '--image', '0', '--method', 'occlusion', '--stride', '0')
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toMatch(/stride: 0 would not move the square/)
    const flat = await featurelens('explain', runId, '--image', '0', '--method', 'gradcam', '--layer', 'f6')
    expect(flat.stderr).toMatch(/layer: "f6" has output \[\d+\], not spatial maps/)
  })

  it('prints the top 9 of a channel and invariance curves', async () => {
    const t = await featurelens('top9', runId, '--layer', 'c3', '--channel', '2', '--epochs', '0,1', '--sample', '30', '--out', out, '--json')
    expect(t.code).toBe(0)
    const top = JSON.parse(t.stdout) as { epochs: { epoch: number; channels: { channel: number; top: unknown[] }[] }[]; files: { kind: string }[] }
    expect(top.epochs.map((e) => e.epoch)).toEqual([0, 1])
    expect(top.epochs[1].channels[0].top).toHaveLength(9)
    expect(top.files.map((f) => f.kind)).toEqual(['patch', 'deconvnet', 'guided', 'patch', 'deconvnet', 'guided'])
    const inv = await featurelens('invariance', runId, '--image', '0,1', '--transform', 'rotate', '--from', '0', '--to', '90', '--steps', '4')
    expect(inv.code).toBe(0)
    expect(inv.stdout).toContain('rotate (degrees)')
    expect(inv.stdout.trim().split('\n')).toHaveLength(6)
  })
})

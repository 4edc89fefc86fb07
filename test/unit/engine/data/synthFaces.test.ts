import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SYNTH_FACES_RATES, syntheticFaceAttributes } from '../../../../src-shared/dataset'
import { ApiError } from '../../../../src-shared/errors'
import { openDataset } from '../../../../src-main/engine/data/open'
import { readEvidenceMask } from '../../../../src-main/engine/data/synthFaces/evidence'
import { attributeRegions, sampleFace } from '../../../../src-main/engine/data/synthFaces/face'
import { generateSyntheticFaces } from '../../../../src-main/engine/data/synthFaces/generate'
import { tempDir, writeFile } from './helpers'

let dir: string
let cleanup: () => void
beforeAll(async () => {
  ;({ dir, cleanup } = tempDir())
  await generateSyntheticFaces(join(dir, 'a'), { count: 24, size: 48, seed: 5 })
  await generateSyntheticFaces(join(dir, 'b'), { count: 24, size: 48, seed: 5 })
  await generateSyntheticFaces(join(dir, 'c'), { count: 24, size: 48, seed: 6 })
  await generateSyntheticFaces(join(dir, 'short'), { count: 5, size: 48, seed: 5 })
})
afterAll(() => cleanup())

function filesOf(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort()
}

describe('synthetic faces', () => {
  it('are byte-identical for the same seed, different for another, and stable per index', () => {
    const a = filesOf(join(dir, 'a'))
    expect(a).toEqual(filesOf(join(dir, 'b')))
    expect(a).toContain('list_attr_celeba.txt')
    expect(a).toContain('evidence_masks/000024.png')
    for (const f of a) expect(readFileSync(join(dir, 'b', f)).equals(readFileSync(join(dir, 'a', f))), f).toBe(true)
    const img = 'img_align_celeba/000003.png'
    expect(readFileSync(join(dir, 'c', img)).equals(readFileSync(join(dir, 'a', img)))).toBe(false)
    expect(readFileSync(join(dir, 'short', img)).equals(readFileSync(join(dir, 'a', img)))).toBe(true)
  })

  it('read back as the CelebA layout with the three attributes and the generator facts', async () => {
    const ds = await openDataset(join(dir, 'a'))
    const s = ds.summary
    expect(s.format).toBe('celeba')
    expect(s.total).toBe(24)
    expect(s.warnings).toEqual([])
    expect(s.image).toMatchObject({ width: 48, height: 48, channels: 3 })
    expect(s.attributes.map((a) => a.name)).toEqual([...syntheticFaceAttributes])
    expect(s.synthetic).toMatchObject({ seed: 5, size: 48, maskDir: 'evidence_masks', maskChannels: ['Smiling', 'Male', 'Eyeglasses'] })
    const batch = await ds.split(ds.splitNames[0]).readBatch([0, 1], { width: 32, height: 32, channels: 3 }, { label: 'Eyeglasses' })
    expect(batch.x.length).toBe(2 * 32 * 32 * 3)
  })

  it('draw attributes independently at the configured rates', () => {
    const rates = { Smiling: 0.5, Male: 0.3, Eyeglasses: 0.2 }
    const n = 6000
    const count = { Smiling: 0, Male: 0, Eyeglasses: 0, SmilingMale: 0, MaleEyeglasses: 0 }
    for (let i = 0; i < n; i++) {
      const a = sampleFace(11, i, rates).attributes
      for (const k of syntheticFaceAttributes) if (a[k]) count[k]++
      if (a.Smiling && a.Male) count.SmilingMale++
      if (a.Male && a.Eyeglasses) count.MaleEyeglasses++
    }
    for (const k of syntheticFaceAttributes) expect(Math.abs(count[k] / n - rates[k])).toBeLessThan(0.02)
    expect(Math.abs(count.SmilingMale / n - 0.15)).toBeLessThan(0.015)
    expect(Math.abs(count.MaleEyeglasses / n - 0.06)).toBeLessThan(0.012)
  })

  it('put each attribute’s evidence in its own region: eyes above mouth, jaw around it', async () => {
    const ds = await openDataset(join(dir, 'a'))
    const info = ds.summary.synthetic!
    const centroidY = (m: Uint8Array, size: number): number => {
      let sum = 0
      let n = 0
      m.forEach((v, p) => {
        if (v) {
          sum += Math.floor(p / size)
          n++
        }
      })
      return n ? sum / n : NaN
    }
    for (const file of ['000001.png', '000007.png', '000019.png']) {
      const { width, masks } = await readEvidenceMask(join(dir, 'a'), info, file)
      const eyes = centroidY(masks.Eyeglasses, width)
      const mouth = centroidY(masks.Smiling, width)
      const jaw = centroidY(masks.Male, width)
      expect(eyes).toBeLessThan(mouth - width * 0.15)
      expect(jaw).toBeGreaterThan(eyes + width * 0.15)
      let overlap = 0
      masks.Eyeglasses.forEach((v, p) => (overlap += v & masks.Smiling[p]))
      expect(overlap).toBe(0)
    }
  })

  it('find the same regions when only the attribute’s box is redrawn', () => {
    for (let i = 0; i < 16; i++) {
      const p = sampleFace(3, i, SYNTH_FACES_RATES)
      const fast = attributeRegions(p, 40, true)
      const full = attributeRegions(p, 40, false)
      for (const a of syntheticFaceAttributes) {
        expect(fast[a]).toEqual(full[a])
        expect(fast[a].some((v) => v === 1)).toBe(true)
      }
    }
  })

  it('refuse to overwrite a folder that has files, and check their options', async () => {
    writeFile(join(dir, 'busy', 'x.txt'), 'x')
    await expect(generateSyntheticFaces(join(dir, 'busy'), { count: 2 })).rejects.toThrow(/already exists and is not an empty folder/)
    const err = await generateSyntheticFaces(join(dir, 'tiny'), { size: 8 }).catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err.code).toBe('invalid_request')
    expect(err.message).toMatch(/size/)
    expect(readdirSync(dir).filter((n) => n.includes('partial'))).toEqual([])
  })

  it('leave nothing behind when cancelled', async () => {
    const controller = new AbortController()
    const run = generateSyntheticFaces(join(dir, 'cancelled'), { count: 200, size: 32, signal: controller.signal, onProgress: (p) => p.done >= 100 && controller.abort() })
    await expect(run).rejects.toThrow(/cancelled/)
    expect(readdirSync(dir).filter((n) => n.includes('cancelled'))).toEqual([])
  })
})

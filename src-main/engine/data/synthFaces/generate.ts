import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import sharp from 'sharp'
import { SYNTH_FACES_RATES, SynthFacesRequest, syntheticFaceAttributes, type SyntheticFaceAttribute, type SynthFacesResult } from '../../../../src-shared/dataset'
import { ApiError } from '../../../../src-shared/errors'
import { CELEBA_ATTR_FILE, CELEBA_PARTITION_FILE } from '../celeba'
import { mapLimited, throwIfCancelled, type WorkOptions } from '../limits'
import { createRandom } from '../random'
import { attributeRegions, EVIDENCE_FILE, IMAGE_DIR, MASK_DIR, type EvidenceFile } from './evidence'
import { attributeRegions as evidenceRegions, drawFace, sampleFace } from './face'

export interface SynthFacesOptions extends WorkOptions {
  count?: number
  size?: number
  seed?: number
  rates?: Partial<Record<SyntheticFaceAttribute, number>>
}

/** Share of faces in the train / val / test partitions, like CelebA's 80/10/10. */
const PARTITION = { train: 0.8, val: 0.1 }
/** Faces drawn and encoded at once: drawing is on this thread, PNG encoding on sharp's. */
const IN_FLIGHT = 4

/** Square max-filter of radius r, so the mask covers the region, not just changed edge pixels. */
function dilate(mask: Uint8Array, size: number, r: number): Uint8Array {
  const horizontal = new Uint8Array(mask.length)
  const out = new Uint8Array(mask.length)
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    let v = 0
    for (let k = Math.max(0, x - r); k <= Math.min(size - 1, x + r) && !v; k++) v = mask[y * size + k]
    horizontal[y * size + x] = v
  }
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    let v = 0
    for (let k = Math.max(0, y - r); k <= Math.min(size - 1, y + r) && !v; k++) v = horizontal[k * size + x]
    out[y * size + x] = v
  }
  return out
}

function partitionOf(seed: number, index: number): 0 | 1 | 2 {
  const u = createRandom(seed, index, 0x9a47)()
  return u < PARTITION.train ? 0 : u < PARTITION.train + PARTITION.val ? 1 : 2
}

async function checkTarget(out: string): Promise<boolean> {
  try {
    const info = await stat(out)
    if (!info.isDirectory() || (await readdir(out)).length > 0) {
      throw new ApiError('conflict', `${out}: already exists and is not an empty folder; choose a new folder or remove it`)
    }
    return true
  } catch (err) {
    if (err instanceof ApiError) throw err
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw new ApiError('bad_input', `${out}: cannot be checked (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
  }
}

/**
 * Writes a CelebA-layout folder of synthetic faces: img_align_celeba/*.png,
 * list_attr_celeba.txt, list_eval_partition.txt, one evidence mask per image (channel k =
 * attribute k's region) and evidence.json. The same seed gives byte-identical images.
 * Written to a temporary sibling folder and renamed, so a cancelled run leaves nothing.
 */
export async function generateSyntheticFaces(out: string, options: SynthFacesOptions = {}): Promise<SynthFacesResult> {
  const parsed = SynthFacesRequest.safeParse({ out, count: options.count, size: options.size, seed: options.seed, rates: options.rates })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ApiError('invalid_request', `synthetic faces: ${issue.path.join('.') || 'options'}: ${issue.message}`)
  }
  const { count, size, seed } = parsed.data
  const rates = { ...SYNTH_FACES_RATES, ...parsed.data.rates }
  const target = resolve(out)
  const emptyTargetExists = await checkTarget(target)
  const staging = join(dirname(target), `.${basename(target)}.partial-${process.pid}-${Date.now()}`)
  const digits = Math.max(6, String(count).length)

  try {
    await mkdir(join(staging, IMAGE_DIR), { recursive: true })
    await mkdir(join(staging, MASK_DIR), { recursive: true })
    const attributeRows = new Array<string>(count)
    const partitionRows = new Array<string>(count)
    const positives: Record<string, number> = Object.fromEntries(syntheticFaceAttributes.map((a) => [a, 0]))
    let done = 0
    const indices = Array.from({ length: count }, (_, i) => i)
    await mapLimited(
      indices,
      IN_FLIGHT,
      async (i) => {
        const params = sampleFace(seed, i, rates)
        const image = drawFace(params, size)
        const masks = new Uint8Array(size * size * 3)
        const regions = evidenceRegions(params, size)
        const grow = Math.max(1, Math.round(size / 32))
        syntheticFaceAttributes.forEach((a, c) => {
          const m = dilate(regions[a], size, grow)
          for (let p = 0; p < m.length; p++) masks[p * 3 + c] = m[p] * 255
        })
        const name = `${String(i + 1).padStart(digits, '0')}.png`
        await Promise.all([
          sharp(image, { raw: { width: size, height: size, channels: 3 } }).png().toFile(join(staging, IMAGE_DIR, name)),
          sharp(masks, { raw: { width: size, height: size, channels: 3 } }).png({ compressionLevel: 9 }).toFile(join(staging, MASK_DIR, name))
        ])
        const values = syntheticFaceAttributes.map((a) => (params.attributes[a] ? ' 1' : '-1'))
        for (const a of syntheticFaceAttributes) if (params.attributes[a]) positives[a]++
        attributeRows[i] = `${name} ${values.join(' ')}`
        partitionRows[i] = `${name} ${partitionOf(seed, i)}`
        if (++done % 100 === 0 || done === count) options.onProgress?.({ phase: 'generating', done, total: count })
      },
      options.signal
    )
    throwIfCancelled(options.signal)

    const drawnRates = Object.fromEntries(syntheticFaceAttributes.map((a) => [a, positives[a] / count]))
    const evidence: EvidenceFile = {
      generator: 'featurelens-synth-faces',
      version: 1,
      seed,
      size,
      count,
      rates,
      drawnRates,
      imageDir: IMAGE_DIR,
      maskDir: MASK_DIR,
      maskChannels: [...syntheticFaceAttributes],
      regions: attributeRegions,
      note: 'Each mask PNG has the same name as its image; channel k is 255 where attribute maskChannels[k] changes the drawing.'
    }
    options.onProgress?.({ phase: 'writing', done: 0, total: 3 })
    await writeFile(join(staging, CELEBA_ATTR_FILE), `${count}\n${syntheticFaceAttributes.join(' ')}\n${attributeRows.join('\n')}\n`)
    await writeFile(join(staging, CELEBA_PARTITION_FILE), `${partitionRows.join('\n')}\n`)
    await writeFile(join(staging, EVIDENCE_FILE), `${JSON.stringify(evidence, null, 2)}\n`)
    if (emptyTargetExists) await rmdir(target)
    await rename(staging, target)
    options.onProgress?.({ phase: 'writing', done: 3, total: 3 })
    return { out: target, count, size, seed, rates: drawnRates }
  } catch (err) {
    await rm(staging, { recursive: true, force: true })
    if (err instanceof ApiError) throw err
    const code = (err as NodeJS.ErrnoException).code
    throw new ApiError('bad_input', `${target}: cannot write the synthetic faces (${code ?? (err as Error).message}); check the folder is writable and the disk has space`)
  }
}

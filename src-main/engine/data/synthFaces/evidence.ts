import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { z } from 'zod'
import { syntheticFaceAttributes, type SyntheticInfo } from '../../../../src-shared/dataset'
import { ApiError } from '../../../../src-shared/errors'

export const EVIDENCE_FILE = 'evidence.json'
export const MASK_DIR = 'evidence_masks'
export const IMAGE_DIR = 'img_align_celeba'

/** Where each attribute's evidence is drawn, for people reading evidence.json. */
export const attributeRegions: Record<(typeof syntheticFaceAttributes)[number], string> = {
  Smiling: 'mouth: an open smile with teeth versus a closed straight mouth',
  Male: 'jaw and chin: a squarer jaw with beard stubble below the mouth line',
  Eyeglasses: 'eyes: frames around both eyes, a bridge and arms'
}

export const EvidenceFile = z.object({
  generator: z.literal('featurelens-synth-faces'),
  version: z.literal(1),
  seed: z.number().int(),
  size: z.number().int().positive(),
  count: z.number().int().positive(),
  rates: z.record(z.string(), z.number()),
  drawnRates: z.record(z.string(), z.number()),
  imageDir: z.string(),
  maskDir: z.string(),
  maskChannels: z.array(z.string()),
  regions: z.record(z.string(), z.string()),
  note: z.string()
})
export type EvidenceFile = z.infer<typeof EvidenceFile>

/** The generator's facts when `root` was written by it; null for any other CelebA folder. */
export async function readSyntheticInfo(root: string): Promise<SyntheticInfo | null> {
  let text: string
  try {
    text = await readFile(join(root, EVIDENCE_FILE), 'utf8')
  } catch {
    return null
  }
  let parsed
  try {
    parsed = EvidenceFile.safeParse(JSON.parse(text))
  } catch {
    return null
  }
  if (!parsed.success) return null
  const e = parsed.data
  return { seed: e.seed, size: e.size, rates: e.rates, maskDir: e.maskDir, maskChannels: e.maskChannels }
}

/**
 * The evidence mask of one synthetic image: per attribute, size×size bytes, 1 where drawing
 * the face with and without the attribute differs (dilated slightly), else 0.
 */
export async function readEvidenceMask(root: string, info: SyntheticInfo, file: string): Promise<{ width: number; height: number; masks: Record<string, Uint8Array> }> {
  const abs = join(root, info.maskDir, file)
  let decoded
  try {
    decoded = await sharp(abs).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true })
  } catch (err) {
    throw new ApiError('bad_input', `${abs}: cannot read the evidence mask (${(err as Error).message})`)
  }
  const { data, info: meta } = decoded
  const masks: Record<string, Uint8Array> = {}
  info.maskChannels.forEach((name, c) => {
    const m = new Uint8Array(meta.width * meta.height)
    for (let p = 0; p < m.length; p++) m[p] = data[p * meta.channels + c] > 127 ? 1 : 0
    masks[name] = m
  })
  return { width: meta.width, height: meta.height, masks }
}

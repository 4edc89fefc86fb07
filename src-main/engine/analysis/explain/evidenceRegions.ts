/**
 * Evidence regions of synthetic faces at a model's input size: for each chosen example, the
 * pixels where each attribute is drawn, read from the generator's per-image masks.
 */
import { basename } from 'node:path'
import type { SplitName } from '../../../../src-shared/dataset'
import type { Dataset } from '../../data/dataset'
import { mapLimited, DATA_LIMITS } from '../../data/limits'
import { readEvidenceMask } from '../../data/synthFaces/evidence'
import type { RegionMasks } from './spatialEnergy'

/** Attributes with evidence masks in this dataset; empty unless it is a synthetic-faces folder. */
export function evidenceAttributes(dataset: Dataset): string[] {
  return dataset.table.synthetic?.maskChannels ?? []
}

function nearest(mask: Uint8Array, w: number, h: number, W: number, H: number): Uint8Array {
  if (w === W && h === H) return mask
  const out = new Uint8Array(W * H)
  for (let y = 0; y < H; y++) {
    const sy = Math.min(h - 1, Math.floor(((y + 0.5) * h) / H))
    for (let x = 0; x < W; x++) out[y * W + x] = mask[sy * w + Math.min(w - 1, Math.floor(((x + 0.5) * w) / W))]
  }
  return out
}

/** The masks of examples `indices` of a split, resized to H×W; null for datasets without them. */
export async function evidenceMasks(dataset: Dataset, split: SplitName, indices: ArrayLike<number>, H: number, W: number): Promise<RegionMasks | null> {
  const info = dataset.table.synthetic
  if (!info) return null
  const view = dataset.split(split)
  const list = Array.from(indices)
  const read = await mapLimited(list, DATA_LIMITS.concurrency, async (index) => {
    const file = view.file(index)
    if (!file) return null
    const m = await readEvidenceMask(dataset.table.location, info, basename(file))
    return { width: m.width, height: m.height, masks: m.masks }
  })
  if (read.some((r) => r === null)) return null
  const out: RegionMasks = new Map()
  for (const attribute of info.maskChannels) {
    out.set(attribute, read.map((r) => nearest(r!.masks[attribute], r!.width, r!.height, W, H)))
  }
  return out
}

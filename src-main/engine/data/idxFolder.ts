import { readFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { SplitName } from '../../../src-shared/dataset'
import { ApiError } from '../../../src-shared/errors'
import type { ReadContext } from './checkFiles'
import { parseIdxImages, parseIdxLabels, readIdxBytes } from './idx'
import { ShapeTally, type DatasetTable, type SplitTable } from './table'

const IDX_NAME = /^(.*?)(train|t10k|test)[-_.](images|labels)[-_.]idx([13])[-_.]ubyte(\.gz)?$/i

export interface IdxFileName {
  prefix: string
  split: 'train' | 'test'
  kind: 'images' | 'labels'
  gz: boolean
}

/** Recognises MNIST, Fashion-MNIST and EMNIST file names ("emnist-letters-train-images-idx3-ubyte.gz"). */
export function parseIdxName(name: string): IdxFileName | null {
  const m = IDX_NAME.exec(name)
  if (!m) return null
  const kind = m[3].toLowerCase() as 'images' | 'labels'
  if ((kind === 'images') !== (m[4] === '3')) return null
  return { prefix: m[1], split: m[2].toLowerCase() === 'train' ? 'train' : 'test', kind, gz: Boolean(m[5]) }
}

const fashionNames = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']

/** EMNIST ships "<prefix>mapping.txt": lines "label ascii-code". */
async function emnistNames(dir: string, prefix: string): Promise<Map<number, string> | null> {
  try {
    const text = await readFile(join(dir, `${prefix}mapping.txt`), 'utf8')
    const map = new Map<number, string>()
    for (const line of text.split(/\r?\n/)) {
      const [label, code] = line.trim().split(/\s+/).map(Number)
      if (Number.isInteger(label) && Number.isInteger(code)) map.set(label, String.fromCharCode(code))
    }
    return map.size > 0 ? map : null
  } catch {
    return null
  }
}

interface Pair {
  split: 'train' | 'test'
  images?: string
  labels?: string
}

/** Groups the IDX files of a folder into one dataset (one prefix) with train/test pairs. */
function choosePairs(dir: string, names: string[], wantedPrefix: string | null): { prefix: string; pairs: Pair[] } {
  const byPrefix = new Map<string, Map<string, Pair>>()
  for (const name of [...names].sort()) {
    const parsed = parseIdxName(name)
    if (!parsed) continue
    const pairs = byPrefix.get(parsed.prefix) ?? new Map<string, Pair>()
    byPrefix.set(parsed.prefix, pairs)
    const pair = pairs.get(parsed.split) ?? { split: parsed.split }
    pairs.set(parsed.split, pair)
    // Prefer the uncompressed file when both are present: it is already inflated.
    if (pair[parsed.kind] === undefined || !parsed.gz) pair[parsed.kind] = join(dir, name)
  }
  if (wantedPrefix !== null) {
    const pairs = byPrefix.get(wantedPrefix)
    if (!pairs) throw new ApiError('bad_input', `${dir}: no IDX files with the prefix "${wantedPrefix}"`)
    return { prefix: wantedPrefix, pairs: [...pairs.values()] }
  }
  if (byPrefix.size === 0) throw new ApiError('bad_input', `${dir}: no *-images-idx3-ubyte files found`)
  if (byPrefix.size > 1) {
    const example = [...byPrefix.values()][0].values().next().value?.images ?? dir
    throw new ApiError('bad_input', `${dir}: holds ${byPrefix.size} IDX datasets (${[...byPrefix.keys()].map((p) => p || '(no prefix)').join(', ')}); open one of its images files to choose, e.g. ${example}`)
  }
  const [prefix, pairs] = [...byPrefix][0]
  return { prefix, pairs: [...pairs.values()] }
}

/**
 * Reads MNIST-style IDX pairs (train and/or t10k/test, images + labels, plain or .gz).
 * The images stay in memory as bytes: all of MNIST is 55 MB, smaller than decoding it.
 */
export async function readIdxFolder(dir: string, names: string[], ctx: ReadContext, wantedPrefix: string | null = null): Promise<Omit<DatasetTable, 'name' | 'path' | 'location' | 'bundled' | 'synthetic'>> {
  const { prefix, pairs } = choosePairs(dir, names, wantedPrefix)
  pairs.sort((a, b) => (a.split === b.split ? 0 : a.split === 'train' ? -1 : 1))
  const loaded: { split: SplitName; images: ReturnType<typeof parseIdxImages>; labels: Uint8Array; file: string; labelsFile: string }[] = []
  let step = 0
  for (const pair of pairs) {
    ctx.onProgress?.({ phase: 'reading', done: step++, total: pairs.length })
    if (!pair.images) throw new ApiError('bad_input', `${pair.labels}: there is no matching ${pair.split} images file (${prefix}${pair.split === 'train' ? 'train' : 't10k'}-images-idx3-ubyte); add it`)
    if (!pair.labels) throw new ApiError('bad_input', `${pair.images}: there is no matching labels file (${basename(pair.images).replace(/images[-_.]idx3/i, 'labels-idx1')}); add it`)
    const images = parseIdxImages(pair.images, await readIdxBytes(pair.images))
    const labels = parseIdxLabels(pair.labels, await readIdxBytes(pair.labels))
    if (labels.length !== images.count) {
      throw new ApiError('bad_input', `${pair.labels}: has ${labels.length} labels but ${basename(pair.images)} has ${images.count} images; the two files must come from the same set`)
    }
    if (images.count === 0) throw new ApiError('bad_input', `${pair.images}: the file holds no images; download it again`)
    loaded.push({ split: pair.split, images, labels, file: pair.images, labelsFile: pair.labels })
  }
  const shapes = new Set(loaded.map((l) => `${l.images.rows}x${l.images.cols}`))
  if (shapes.size > 1) throw new ApiError('bad_input', `${dir}: the train and test images differ in size (${[...shapes].join(' and ')}); they must come from the same dataset`)

  const values = new Set<number>()
  for (const l of loaded) for (const v of l.labels) values.add(v)
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length < 2) throw new ApiError('bad_input', `${loaded[0].labelsFile}: every image has the label ${sorted[0]}; training needs at least two classes`)
  const dense = new Int32Array(256).fill(-1)
  sorted.forEach((v, i) => (dense[v] = i))

  const mapping = await emnistNames(dir, prefix)
  const isFashion = /fashion/i.test(prefix) || /fashion/i.test(dir)
  const classNames = sorted.map((v) => mapping?.get(v) ?? (isFashion && sorted.length === 10 ? fashionNames[v] : String(v)))

  const tally = new ShapeTally()
  const transposed = /^emnist/i.test(prefix)
  const splits: SplitTable[] = loaded.map((l) => {
    tally.add(l.images.cols, l.images.rows, 1, 'idx', l.images.count)
    return {
      name: l.split,
      count: l.images.count,
      source: { kind: 'idx', file: l.file, rows: l.images.rows, cols: l.images.cols, pixels: l.images.pixels, transposed },
      classIndex: Int32Array.from(l.labels, (v) => dense[v]),
      attributes: null
    }
  })
  ctx.onProgress?.({ phase: 'reading', done: pairs.length, total: pairs.length })
  return { format: 'idx', classNames, attributeNames: [], splits, image: tally.shape(), warnings: ctx.warnings }
}

/** For a path that names one IDX file: its folder and dataset prefix. */
export function idxFileTarget(file: string): { dir: string; prefix: string } | null {
  const parsed = parseIdxName(basename(file))
  return parsed ? { dir: dirname(file), prefix: parsed.prefix } : null
}

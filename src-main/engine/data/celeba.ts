import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { SplitName } from '../../../src-shared/dataset'
import { ApiError } from '../../../src-shared/errors'
import { checkImageFiles, mainProblem, pickFiles, type ReadContext } from './checkFiles'
import { isImageName } from './probe'
import { ShapeTally, type DatasetTable, type SplitTable } from './table'
import { numberedLines, readTextFile, safeRelative } from './textFile'

export const CELEBA_ATTR_FILE = 'list_attr_celeba.txt'
export const CELEBA_PARTITION_FILE = 'list_eval_partition.txt'
/** Where CelebA's images are found in the official archive, the Kaggle copy, and by hand. */
const imageDirCandidates = ['img_align_celeba/img_align_celeba', 'img_align_celeba', 'img_celeba', 'images', 'img', '']
const partitionSplits: Record<string, SplitName> = { '0': 'train', '1': 'val', '2': 'test' }

interface AttributeRows {
  names: string[]
  files: string[]
  /** files.length × names.length, 0/1. */
  values: Uint8Array
}

/** Parses list_attr_celeba.txt: a count line, a header of names, then "file ±1 ±1 …" rows. */
export function parseAttributeFile(text: string, file: string, ctx: ReadContext, root = ''): AttributeRows {
  const where = (what: string): string => (root ? join(root, what) : what)
  const lines = numberedLines(text)
  const fix = `each row must be an image name followed by one 1 or -1 per attribute`
  if (lines.length < 2) throw new ApiError('bad_input', `${where(file)}: expected a count line and a header line of attribute names; ${fix}`)
  const declared = Number(lines[0].text.trim())
  if (!Number.isInteger(declared) || declared < 0) throw new ApiError('bad_input', `${where(file)}: line ${lines[0].line} should be the number of images, found "${lines[0].text.trim().slice(0, 40)}"`)
  let names = lines[1].text.trim().split(/\s+/)
  // Some copies put a column name for the file ("image_id") in the header.
  if (/^(image_id|image|file|filename|name)$/i.test(names[0])) names = names.slice(1)
  if (names.length === 0 || new Set(names).size !== names.length) throw new ApiError('bad_input', `${where(file)}: line ${lines[1].line} must list distinct attribute names`)
  const rows = lines.slice(2)
  const files: string[] = []
  const values: number[] = []
  const seen = new Set<string>()
  for (const { line, text: row } of rows) {
    const fields = row.trim().split(/\s+/)
    if (fields.length !== names.length + 1) {
      ctx.warnings.add('bad_row', `${file} line ${line}: ${fields.length - 1} values, expected ${names.length}`)
      continue
    }
    const rel = safeRelative(fields[0])
    if (rel === null) {
      ctx.warnings.add('bad_value', `${file} line ${line}: file name "${fields[0]}" leaves the dataset folder`)
      continue
    }
    const bad = fields.findIndex((v, i) => i > 0 && v !== '1' && v !== '-1')
    if (bad > 0) {
      ctx.warnings.add('bad_value', `${file} line ${line}: "${fields[bad]}" for ${names[bad - 1]} (must be 1 or -1)`)
      continue
    }
    if (seen.has(rel)) {
      ctx.warnings.add('duplicate_row', `${file} line ${line}: ${rel}`)
      continue
    }
    seen.add(rel)
    files.push(rel)
    for (let i = 1; i < fields.length; i++) values.push(fields[i] === '1' ? 1 : 0)
  }
  const badRows = rows.length - files.length - ctx.warnings.count('duplicate_row')
  if (files.length === 0 || badRows > rows.length / 2) {
    const first = ctx.warnings.list().find((w) => w.code === 'bad_row' || w.code === 'bad_value')?.examples[0]
    throw new ApiError('bad_input', `${where(first ?? file)}${files.length === 0 && rows.length === 0 ? ': no rows' : `; ${badRows} of ${rows.length} rows are malformed`}: ${fix}`)
  }
  if (declared !== rows.length) ctx.warnings.add('count_mismatch', `${file}: line 1 says ${declared}, found ${rows.length} rows`)
  return { names, files, values: Uint8Array.from(values) }
}

async function isDir(abs: string): Promise<boolean> {
  try {
    return (await stat(abs)).isDirectory()
  } catch {
    return false
  }
}

async function exists(abs: string): Promise<boolean> {
  try {
    await stat(abs)
    return true
  } catch {
    return false
  }
}

/** The folder holding the listed images: the first candidate that has the first listed file. */
async function findImageDir(root: string, firstFiles: string[]): Promise<string> {
  const present: string[] = []
  for (const c of imageDirCandidates) if (await isDir(join(root, c))) present.push(c)
  for (const c of present) for (const f of firstFiles) if (await exists(join(root, c, f))) return c
  return present[0] ?? ''
}

async function readPartition(root: string, ctx: ReadContext): Promise<Map<string, SplitName> | null> {
  const abs = join(root, CELEBA_PARTITION_FILE)
  if (!(await exists(abs))) return null
  const map = new Map<string, SplitName>()
  for (const { line, text } of numberedLines(await readTextFile(abs))) {
    const fields = text.trim().split(/\s+/)
    if (fields.length !== 2) ctx.warnings.add('bad_row', `${CELEBA_PARTITION_FILE} line ${line}: ${fields.length} fields, expected 2`)
    else if (!partitionSplits[fields[1]]) ctx.warnings.add('bad_value', `${CELEBA_PARTITION_FILE} line ${line}: "${fields[1]}" (must be 0, 1 or 2)`)
    else map.set(fields[0], partitionSplits[fields[1]])
  }
  return map
}

/**
 * Reads the CelebA layout: list_attr_celeba.txt beside an image folder, and optionally
 * list_eval_partition.txt (0 train, 1 val, 2 test). Labels are binary attributes.
 */
export async function readCelebA(root: string, ctx: ReadContext): Promise<Omit<DatasetTable, 'name' | 'path' | 'location' | 'bundled' | 'synthetic'>> {
  ctx.onProgress?.({ phase: 'reading', done: 0, total: 0 })
  const attrs = parseAttributeFile(await readTextFile(join(root, CELEBA_ATTR_FILE)), CELEBA_ATTR_FILE, ctx, root)
  const imageDir = await findImageDir(root, attrs.files.slice(0, 5))
  const prefix = imageDir ? `${imageDir}/` : ''
  const partition = await readPartition(root, ctx)

  try {
    const listed = new Set(attrs.files)
    for (const name of await readdir(join(root, imageDir))) if (isImageName(name) && !listed.has(name)) ctx.warnings.add('unlisted_image', prefix + name)
  } catch {
    // An unreadable image folder shows up below as unreadable or missing files.
  }

  const tally = new ShapeTally()
  const checked = await checkImageFiles(root, attrs.files.map((f) => prefix + f), ctx, tally)
  if (checked.kept.length === 0) {
    throw new ApiError('bad_input', `${join(root, CELEBA_ATTR_FILE)}: none of the ${attrs.files.length} listed images can be used${mainProblem(ctx.warnings)}; put the images in ${join(root, imageDir || '.')}`)
  }

  const A = attrs.names.length
  const bySplit = new Map<SplitName, number[]>()
  for (const k of checked.kept.keys()) {
    const file = attrs.files[checked.kept[k]]
    let split: SplitName = 'all'
    if (partition) {
      const s = partition.get(file)
      if (!s) {
        ctx.warnings.add('not_in_partition', prefix + file)
        continue
      }
      split = s
    }
    const list = bySplit.get(split) ?? []
    list.push(k)
    bySplit.set(split, list)
  }
  const splits: SplitTable[] = []
  for (const name of ['train', 'val', 'test', 'all'] as SplitName[]) {
    const members = bySplit.get(name)
    if (!members) continue
    const values = new Uint8Array(members.length * A)
    members.forEach((k, j) => values.set(attrs.values.subarray(checked.kept[k] * A, checked.kept[k] * A + A), j * A))
    splits.push({
      name,
      count: members.length,
      source: pickFiles(checked, members),
      classIndex: null,
      attributes: values
    })
  }
  if (splits.length === 0) throw new ApiError('bad_input', `${join(root, CELEBA_PARTITION_FILE)}: lists none of the usable images; fix it or remove it to use all images as one split`)
  if (tally.distinctSizes() > 1) ctx.warnings.add('mixed_sizes', undefined, tally.distinctSizes())
  return { format: 'celeba', classNames: [], attributeNames: attrs.names, splits, image: tally.shape(), warnings: ctx.warnings }
}

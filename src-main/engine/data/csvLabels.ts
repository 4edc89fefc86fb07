import { join } from 'node:path'
import type { SplitName } from '../../../src-shared/dataset'
import { ApiError } from '../../../src-shared/errors'
import { checkImageFiles, mainProblem, pickFiles, type ReadContext } from './checkFiles'
import { compareNames } from './imageFolder'
import { ShapeTally, type DatasetTable, type SplitTable } from './table'
import { numberedLines, readTextFile, safeRelative, splitCsvLine } from './textFile'

export const CSV_LABELS_FILE = 'labels.csv'
const splitValues: Record<string, SplitName> = { train: 'train', training: 'train', val: 'val', valid: 'val', validation: 'val', test: 'test', testing: 'test' }

/**
 * Reads labels.csv: "filename,label[,split]" rows (an optional header line), file names
 * relative to the folder holding labels.csv. Rows without a split go to "all".
 */
export async function readCsvLabels(root: string, ctx: ReadContext): Promise<Omit<DatasetTable, 'name' | 'path' | 'location' | 'bundled' | 'synthetic'>> {
  const csvPath = join(root, CSV_LABELS_FILE)
  ctx.onProgress?.({ phase: 'reading', done: 0, total: 0 })
  const lines = numberedLines(await readTextFile(csvPath))
  if (lines.length > 0 && /^(file|filename|file_name|image|image_id|path)$/i.test(splitCsvLine(lines[0].text)[0])) lines.shift()
  if (lines.length === 0) throw new ApiError('bad_input', `${csvPath}: has no rows; add one "filename,label[,split]" row per image`)

  const files: string[] = []
  const labels: string[] = []
  const splits: SplitName[] = []
  const seen = new Set<string>()
  let malformed = 0
  let firstProblem = ''
  const reject = (code: 'bad_row' | 'bad_value' | 'unknown_split', example: string): void => {
    ctx.warnings.add(code, `${CSV_LABELS_FILE} ${example}`)
    malformed++
    firstProblem ||= example
  }
  for (const { line, text } of lines) {
    const fields = splitCsvLine(text)
    if (fields.length < 2 || fields.length > 3 || fields[0] === '' || fields[1] === '') {
      reject('bad_row', `line ${line}: ${fields.length} fields, expected filename,label[,split]`)
      continue
    }
    const rel = safeRelative(fields[0])
    if (rel === null) {
      reject('bad_value', `line ${line}: file name "${fields[0]}" leaves the dataset folder`)
      continue
    }
    let split: SplitName = 'all'
    if (fields.length === 3 && fields[2] !== '') {
      const s = splitValues[fields[2].toLowerCase()]
      if (!s) {
        reject('unknown_split', `line ${line}: split "${fields[2]}"`)
        continue
      }
      split = s
    }
    if (seen.has(rel)) {
      ctx.warnings.add('duplicate_row', `${CSV_LABELS_FILE} line ${line}: ${rel}`)
      continue
    }
    seen.add(rel)
    files.push(rel)
    labels.push(fields[1])
    splits.push(split)
  }
  if (files.length === 0 || malformed > lines.length / 2) {
    throw new ApiError('bad_input', `${csvPath} ${firstProblem}; ${malformed} of ${lines.length} rows are malformed: each row must be filename,label[,split]`)
  }

  const tally = new ShapeTally()
  const checked = await checkImageFiles(root, files, ctx, tally)
  if (checked.kept.length === 0) throw new ApiError('bad_input', `${csvPath}: none of the ${files.length} listed images can be used${mainProblem(ctx.warnings)}; file names are relative to ${root}`)

  const classNames = [...new Set(Array.from(checked.kept, (i) => labels[i]))].sort(compareNames)
  if (classNames.length < 2) throw new ApiError('bad_input', `${csvPath}: every usable image has the label "${classNames[0]}"; training needs at least two classes`)
  const classIndex = new Map(classNames.map((n, i) => [n, i]))

  const tables: SplitTable[] = []
  for (const name of ['train', 'val', 'test', 'all'] as SplitName[]) {
    const members = Array.from(checked.kept.keys()).filter((k) => splits[checked.kept[k]] === name)
    if (members.length === 0) continue
    tables.push({
      name,
      count: members.length,
      source: pickFiles(checked, members),
      classIndex: Int32Array.from(members, (k) => classIndex.get(labels[checked.kept[k]]) ?? -1),
      attributes: null
    })
  }
  if (tally.distinctSizes() > 1) ctx.warnings.add('mixed_sizes', undefined, tally.distinctSizes())
  return { format: 'csv', classNames, attributeNames: [], splits: tables, image: tally.shape(), warnings: ctx.warnings }
}

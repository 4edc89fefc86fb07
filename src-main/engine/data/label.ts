import { join } from 'node:path'
import type { LabelSpec } from '../../../src-shared/dataset'
import { ApiError } from '../../../src-shared/errors'
import { CELEBA_ATTR_FILE } from './celeba'
import type { DatasetTable } from './table'

/** Positive counts per attribute over all splits, and the total. */
export function attributeCounts(table: DatasetTable): { positives: Float64Array; total: number } {
  const A = table.attributeNames.length
  const positives = new Float64Array(A)
  let total = 0
  for (const split of table.splits) {
    if (!split.attributes) continue
    total += split.count
    for (let i = 0; i < split.count; i++) for (let a = 0; a < A; a++) positives[a] += split.attributes[i * A + a]
  }
  return { positives, total }
}

/** Attributes with the same value on every usable image: they cannot be learned as labels. */
export function constantAttributes(table: DatasetTable): string[] {
  const { positives, total } = attributeCounts(table)
  return table.attributeNames.filter((_, a) => positives[a] === 0 || positives[a] === total)
}

/** The label: the class for class datasets; the asked-for, or a default, attribute otherwise. */
export function resolveLabel(table: DatasetTable, wanted: string | undefined): LabelSpec {
  const names = table.attributeNames
  if (names.length === 0) {
    if (wanted !== undefined) throw new ApiError('bad_input', `${table.location}: --label ${wanted} applies only to attribute datasets (CelebA layout); this one is labelled by class`)
    return { kind: 'class' }
  }
  const file = join(table.location, CELEBA_ATTR_FILE)
  const { positives, total } = attributeCounts(table)
  const constant = (a: number): boolean => positives[a] === 0 || positives[a] === total
  if (wanted !== undefined) {
    const a = names.indexOf(wanted)
    if (a < 0) throw new ApiError('bad_input', `${file}: has no attribute "${wanted}"; choose one of ${names.join(', ')}`)
    if (constant(a)) throw new ApiError('bad_input', `${file}: attribute "${wanted}" is ${positives[a] === 0 ? '-1' : '1'} for every usable image, so it cannot be a label; choose another with --label`)
    return { kind: 'attribute', attribute: wanted }
  }
  const preferred = names.indexOf('Smiling')
  const a = preferred >= 0 && !constant(preferred) ? preferred : names.findIndex((_, k) => !constant(k))
  if (a < 0) throw new ApiError('bad_input', `${file}: every attribute has the same value for every usable image; nothing can be learned as a label`)
  return { kind: 'attribute', attribute: names[a] }
}

import type { AttributeSummary, ClassSummary, DatasetSummary, LabelSpec, SampleGroup, SampleRef, SplitName } from '../../../src-shared/dataset'
import { attributeCounts } from './label'
import { shuffledIndices } from './splits'
import type { DatasetTable, SplitTable } from './table'

/** Examples per row of the sample grid. */
export const SAMPLES_PER_GROUP = 8
/** Sample choice is fixed, so the grid does not change each time a dataset is opened. */
const SAMPLE_SEED = 0
/** Training data first, so the grid shows what the model will learn from. */
const splitPreference: SplitName[] = ['train', 'all', 'val', 'test']

function attributeSummaries(table: DatasetTable): AttributeSummary[] {
  const { positives, total } = attributeCounts(table)
  return table.attributeNames.map((name, a) => ({ name, positives: positives[a], total, positiveRate: total ? positives[a] / total : 0 }))
}

function orderedSplits(table: DatasetTable): SplitTable[] {
  return [...table.splits].sort((a, b) => splitPreference.indexOf(a.name) - splitPreference.indexOf(b.name))
}

/** Up to SAMPLES_PER_GROUP random examples of each class and of each attribute value. */
function sampleGroups(table: DatasetTable, classNames: string[], labelsOf: (split: SplitTable) => Int32Array): SampleGroup[] {
  const A = table.attributeNames.length
  const classRefs: SampleRef[][] = classNames.map(() => [])
  const attrRefs: { pos: SampleRef[]; neg: SampleRef[] }[] = table.attributeNames.map(() => ({ pos: [], neg: [] }))
  let open = classNames.length + 2 * A
  for (const split of orderedSplits(table)) {
    const labels = labelsOf(split)
    const order = shuffledIndices(split.count, SAMPLE_SEED)
    for (let k = 0; k < order.length && open > 0; k++) {
      const i = order[k]
      const ref = { split: split.name, index: i }
      const c = labels[i]
      if (c >= 0 && c < classRefs.length && classRefs[c].length < SAMPLES_PER_GROUP) {
        classRefs[c].push(ref)
        if (classRefs[c].length === SAMPLES_PER_GROUP) open--
      }
      if (split.attributes) {
        for (let a = 0; a < A; a++) {
          const bucket = split.attributes[i * A + a] ? attrRefs[a].pos : attrRefs[a].neg
          if (bucket.length < SAMPLES_PER_GROUP) {
            bucket.push(ref)
            if (bucket.length === SAMPLES_PER_GROUP) open--
          }
        }
      }
    }
  }
  const groups: SampleGroup[] = classNames.map((name, c) => ({ kind: 'class', name, label: name, refs: classRefs[c] }))
  table.attributeNames.forEach((name, a) => {
    groups.push({ kind: 'attribute', name, positive: true, label: name, refs: attrRefs[a].pos })
    groups.push({ kind: 'attribute', name, positive: false, label: `not ${name}`, refs: attrRefs[a].neg })
  })
  return groups
}

/** The summary the API returns and the CLI prints, for the dataset under its current label. */
export function buildSummary(table: DatasetTable, label: LabelSpec, classNames: string[], labelsOf: (split: SplitTable) => Int32Array): DatasetSummary {
  const classes: ClassSummary[] = classNames.map((name, index) => ({ index, name, total: 0, counts: {} }))
  for (const split of table.splits) {
    const labels = labelsOf(split)
    for (const c of classes) c.counts[split.name] = 0
    for (let i = 0; i < labels.length; i++) {
      const c = classes[labels[i]]
      if (!c) continue
      c.counts[split.name] = (c.counts[split.name] ?? 0) + 1
      c.total++
    }
  }
  return {
    format: table.format,
    name: table.name,
    path: table.path,
    location: table.location,
    bundled: table.bundled,
    splits: table.splits.map((s) => ({ name: s.name, count: s.count })),
    total: table.splits.reduce((n, s) => n + s.count, 0),
    skipped: table.warnings.skipped(),
    image: table.image,
    label,
    classes,
    attributes: attributeSummaries(table),
    warnings: table.warnings.list(),
    samples: sampleGroups(table, classNames, labelsOf),
    synthetic: table.synthetic
  }
}

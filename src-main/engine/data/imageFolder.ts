import { basename, join } from 'node:path'
import type { SplitName } from '../../../src-shared/dataset'
import { ApiError } from '../../../src-shared/errors'
import { checkImageFiles, mainProblem, pickFiles, type ReadContext } from './checkFiles'
import { isImageName, isOtherImageName } from './probe'
import { ShapeTally, type DatasetTable, type SplitTable } from './table'
import { enterDirectory, listDirectory, walkFiles, WalkState, type DirEntry } from './walk'

const splitFolders: Record<string, SplitName> = { train: 'train', training: 'train', val: 'val', valid: 'val', validation: 'val', test: 'test', testing: 'test' }

const hidden = (name: string): boolean => name.startsWith('.') || name === '__MACOSX'

interface ClassFiles {
  name: string
  files: string[]
}

/** Image files below one class folder; everything else is counted, not read. */
async function listClass(dir: DirEntry, prefix: string, state: WalkState): Promise<ClassFiles> {
  const rel = prefix + dir.name
  const files: string[] = []
  for (const file of await walkFiles(dir.abs, rel, state, 0, true)) {
    const name = basename(file.rel)
    if (hidden(name)) continue
    if (isImageName(name)) files.push(file.rel)
    else if (isOtherImageName(name)) state.warnings.add('unsupported_format', file.rel)
    else state.warnings.add('ignored_files', file.rel)
  }
  return { name: dir.name, files }
}

/** Marks folders as visited before any is walked; drops those reached twice (links to each other). */
async function enterAll(dirs: DirEntry[], prefix: string, state: WalkState): Promise<DirEntry[]> {
  const out: DirEntry[] = []
  for (const d of dirs) if (await enterDirectory(d.abs, prefix + d.name, state)) out.push(d)
  return out
}

function strayImages(entries: DirEntry[], prefix: string, state: WalkState): void {
  for (const e of entries) if (e.kind === 'file' && !hidden(e.name) && (isImageName(e.name) || isOtherImageName(e.name))) state.warnings.add('stray_images', prefix + e.name)
}

/**
 * Reads root/<class>/**\/*.{png,jpg,jpeg,webp}, or root/{train,val,test}/<class>/… when the
 * top level holds split folders. Class names are folder names, in sorted order.
 */
export async function readImageFolder(root: string, ctx: ReadContext): Promise<Omit<DatasetTable, 'name' | 'path' | 'location' | 'bundled' | 'synthetic'>> {
  const state = new WalkState(ctx.warnings, ctx.signal)
  ctx.onProgress?.({ phase: 'listing', done: 0, total: 0 })
  await enterDirectory(root, '.', state)
  const top = (await listDirectory(root, '', state))?.filter((e) => !hidden(e.name))
  if (!top) throw new ApiError('bad_input', `${root}: cannot list the folder (permission denied or I/O error); make it readable`)
  if (top.length === 0) throw new ApiError('bad_input', `${root}: the folder is empty; put images in one folder per class, e.g. ${join(root, 'cat', '1.png')}`)
  const topDirs = top.filter((e) => e.kind === 'dir')
  const splitDirs = topDirs.filter((e) => splitFolders[e.name.toLowerCase()] !== undefined)

  const groups: { split: SplitName; prefix: string; classes: ClassFiles[] }[] = []
  if (splitDirs.length > 0) {
    const listed: { dir: DirEntry; classDirs: DirEntry[] }[] = []
    for (const dir of await enterAll(splitDirs, '', state)) {
      const entries = (await listDirectory(dir.abs, dir.name, state))?.filter((e) => !hidden(e.name)) ?? []
      strayImages(entries, `${dir.name}/`, state)
      listed.push({ dir, classDirs: entries.filter((e) => e.kind === 'dir') })
    }
    for (const l of listed) l.classDirs = await enterAll(l.classDirs, `${l.dir.name}/`, state)
    for (const { dir, classDirs } of listed) {
      const split = splitFolders[dir.name.toLowerCase()]
      const classes: ClassFiles[] = []
      for (const c of classDirs) classes.push(await listClass(c, `${dir.name}/`, state))
      const existing = groups.find((g) => g.split === split)
      if (existing) existing.classes.push(...classes)
      else groups.push({ split, prefix: `${dir.name}/`, classes })
    }
    for (const other of topDirs.filter((e) => !splitDirs.includes(e))) ctx.warnings.add('ignored_files', `${other.name}/`)
  } else {
    strayImages(top, '', state)
    const classes: ClassFiles[] = []
    for (const c of await enterAll(topDirs, '', state)) classes.push(await listClass(c, '', state))
    if (classes.length === 0) {
      const images = top.filter((e) => e.kind === 'file' && isImageName(e.name)).length
      const what = images > 0 ? `holds ${images} images but no class folders` : 'holds no folders of images'
      throw new ApiError('bad_input', `${root}: the folder ${what}; put each class in its own folder (e.g. ${join(root, 'cat', '1.png')}) or add a labels.csv with filename,label rows`)
    }
    groups.push({ split: 'all', prefix: '', classes })
  }

  const listed = groups.reduce((n, g) => n + g.classes.reduce((m, c) => m + c.files.length, 0), 0)
  if (listed === 0) {
    throw new ApiError('bad_input', `${root}: no PNG, JPEG or WebP images found in the class folders${mainProblem(ctx.warnings)}; expected ${join(root, '<class>', '*.png')}`)
  }

  // Check all files in one pass so progress covers the whole dataset.
  const rels: string[] = []
  const classOf: string[] = []
  const splitOf: SplitName[] = []
  for (const g of groups) for (const c of g.classes) for (const f of c.files) {
    rels.push(f)
    classOf.push(c.name)
    splitOf.push(g.split)
  }
  const tally = new ShapeTally()
  const checked = await checkImageFiles(root, rels, ctx, tally)

  const usable = new Map<string, number>()
  for (const i of checked.kept) usable.set(classOf[i], (usable.get(classOf[i]) ?? 0) + 1)
  const folderNames = new Set(groups.flatMap((g) => g.classes.map((c) => c.name)))
  for (const name of folderNames) if (!usable.has(name)) ctx.warnings.add('empty_class', name)
  const classNames = [...usable.keys()].sort(compareNames)
  if (checked.kept.length === 0) throw new ApiError('bad_input', `${root}: none of the ${rels.length} images could be used${mainProblem(ctx.warnings)}; replace or remove the damaged files`)
  if (classNames.length < 2) {
    throw new ApiError('bad_input', `${root}: only one class ("${classNames[0]}") has usable images; training needs at least two, so add a folder per class`)
  }
  const classIndex = new Map(classNames.map((n, i) => [n, i]))

  const splits: SplitTable[] = []
  for (const g of groups) {
    const members = Array.from(checked.kept.keys()).filter((k) => splitOf[checked.kept[k]] === g.split)
    if (members.length === 0) continue
    splits.push({
      name: g.split,
      count: members.length,
      source: pickFiles(checked, members),
      classIndex: Int32Array.from(members, (k) => classIndex.get(classOf[checked.kept[k]]) ?? -1),
      attributes: null
    })
  }
  const order: SplitName[] = ['train', 'val', 'test', 'all']
  splits.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name))
  if (tally.distinctSizes() > 1) ctx.warnings.add('mixed_sizes', undefined, tally.distinctSizes())
  return { format: 'image-folder', classNames, attributeNames: [], splits, image: tally.shape(), warnings: ctx.warnings }
}

/** Numeric names in numeric order ("2" before "10"), others alphabetically. */
export function compareNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true })
}

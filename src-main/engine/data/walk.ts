import { opendir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { ApiError } from '../../../src-shared/errors'
import { DATA_LIMITS, throwIfCancelled } from './limits'
import type { WarningCollector } from './warnings'

export interface WalkedFile {
  /** Path relative to the walk's base, with forward slashes. */
  rel: string
  abs: string
}

/**
 * Shared across the walks of one dataset: directories already entered (so a symlink loop or
 * a link to an ancestor is entered once) and the entry budget (so a huge tree cannot hang us).
 */
export class WalkState {
  readonly visited = new Set<string>()
  entries = 0
  limitHit = false
  constructor(
    readonly warnings: WarningCollector,
    readonly signal?: AbortSignal,
    readonly maxEntries: number = DATA_LIMITS.maxEntries,
    readonly maxDepth: number = DATA_LIMITS.maxDepth
  ) {}
}

export type EntryKind = 'file' | 'dir' | 'skip'

/** Follows a symlink or names an entry's kind, recording loops and dead links as warnings. */
export async function entryKind(abs: string, rel: string, dirent: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }, state: WalkState): Promise<EntryKind> {
  if (dirent.isFile()) return 'file'
  if (dirent.isDirectory()) return 'dir'
  if (!dirent.isSymbolicLink()) {
    state.warnings.add('not_a_file', rel)
    return 'skip'
  }
  try {
    const target = await stat(abs)
    if (target.isFile()) return 'file'
    if (target.isDirectory()) return 'dir'
    state.warnings.add('not_a_file', rel)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ELOOP') state.warnings.add('symlink_loop', rel)
    else if (code === 'ENOENT' || code === 'ENOTDIR') state.warnings.add('broken_link', rel)
    else state.warnings.add('unreadable', rel)
  }
  return 'skip'
}

/** Marks a directory as entered; false when it was entered before (a loop or a second link). */
export async function enterDirectory(abs: string, rel: string, state: WalkState): Promise<boolean> {
  let key: string
  try {
    const s = await stat(abs)
    key = `${s.dev}:${s.ino}`
  } catch {
    state.warnings.add('unreadable', rel)
    return false
  }
  if (state.visited.has(key)) {
    state.warnings.add('symlink_loop', rel)
    return false
  }
  state.visited.add(key)
  return true
}

export interface DirEntry {
  name: string
  abs: string
  kind: EntryKind
}

/** Lists one directory, sorted by name so results do not depend on the file system's order. */
export async function listDirectory(abs: string, rel: string, state: WalkState): Promise<DirEntry[] | null> {
  throwIfCancelled(state.signal)
  let dir
  try {
    dir = await opendir(abs)
  } catch {
    state.warnings.add('unreadable', rel || '.')
    return null
  }
  const raw: { name: string; dirent: import('node:fs').Dirent }[] = []
  try {
    for await (const dirent of dir) {
      if (++state.entries > state.maxEntries) {
        if (!state.limitHit) state.warnings.add('walk_limit', rel || '.')
        state.limitHit = true
        break
      }
      raw.push({ name: dirent.name, dirent })
    }
  } catch (err) {
    // Opened but not listable (e.g. EACCES part-way through /proc): name the folder.
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message
    throw new ApiError('bad_input', `cannot read the folder ${abs} (${code}); make it readable, or open a dataset folder that does not contain it`)
  }
  raw.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const out: DirEntry[] = []
  for (const { name, dirent } of raw) {
    const childAbs = join(abs, name)
    const childRel = rel ? `${rel}/${name}` : name
    out.push({ name, abs: childAbs, kind: await entryKind(childAbs, childRel, dirent, state) })
  }
  return out
}

/**
 * Every regular file below `abs` (following symlinks once), depth-first in name order.
 * `entered`: the caller already marked `abs` as visited (it registers sibling folders first,
 * so a link from one class folder to another is not walked as part of the first).
 */
export async function walkFiles(abs: string, rel: string, state: WalkState, depth = 0, entered = false): Promise<WalkedFile[]> {
  const files: WalkedFile[] = []
  if (!entered && !(await enterDirectory(abs, rel, state))) return files
  const entries = await listDirectory(abs, rel, state)
  if (!entries) return files
  for (const entry of entries) {
    const childRel = rel ? `${rel}/${entry.name}` : entry.name
    if (entry.kind === 'file') files.push({ rel: childRel, abs: entry.abs })
    else if (entry.kind === 'dir') {
      if (depth + 1 > state.maxDepth) {
        if (!state.limitHit) state.warnings.add('walk_limit', childRel)
        state.limitHit = true
        continue
      }
      for (const f of await walkFiles(entry.abs, childRel, state, depth + 1)) files.push(f)
    }
  }
  return files
}

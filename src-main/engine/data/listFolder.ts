import { readdir, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import type { DirectoryListing } from '../../../src-shared/api/datasets'
import { ApiError } from '../../../src-shared/errors'
import { isImageName } from './probe'

const MAX_LISTED = 2000

/**
 * A folder's subfolders and the files a dataset is made of (images, IDX, CSV, text), for the
 * folder picker; the home folder when no path is given. Hidden entries are left out.
 */
export async function listDatasetFolder(path: string | undefined): Promise<DirectoryListing> {
  const dir = resolve(path && path.trim() ? path : homedir())
  let names: string[]
  try {
    const info = await stat(dir)
    if (!info.isDirectory()) throw new ApiError('bad_input', `${dir} is not a folder`)
    names = await readdir(dir)
  } catch (err) {
    if (err instanceof ApiError) throw err
    const code = (err as NodeJS.ErrnoException).code
    throw new ApiError('bad_input', `${dir}: ${code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'permission denied' : `cannot be read (${code})`}`)
  }
  names.sort((a, b) => a.localeCompare(b))
  const entries: DirectoryListing['entries'] = []
  for (const name of names.slice(0, MAX_LISTED)) {
    if (name.startsWith('.')) continue
    const full = join(dir, name)
    const kind = await stat(full).then((s) => (s.isDirectory() ? 'folder' : 'file')).catch(() => null)
    if (kind === 'folder' || (kind === 'file' && (isImageName(name) || /idx\d-ubyte(\.gz)?$|\.csv$|\.txt$/i.test(name)))) entries.push({ name, path: full, kind })
  }
  const parent = dirname(dir)
  return { path: dir, parent: parent === dir ? null : parent, entries, note: names.length > MAX_LISTED ? `showing the first ${MAX_LISTED} of ${names.length} entries` : null }
}

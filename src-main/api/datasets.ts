import { existsSync } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import type { DirectoryListing } from '../../src-shared/api/datasets'
import { BUNDLED_MNIST } from '../../src-shared/dataset'
import { ApiError } from '../../src-shared/errors'
import { generateSyntheticFaces } from '../engine/data/index'
import { isImageName } from '../engine/data/probe'
import { recentDatasets, rememberDataset } from '../engine/store/recentDatasets'
import type { ApiContext } from './context'
import type { Handler } from './router'

const MAX_LISTED = 2000

function syntheticFacesPath(context: ApiContext): string {
  return join(context.workspace.dir, 'datasets', 'synthetic-faces')
}

async function listDir(path: string | undefined): Promise<DirectoryListing> {
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

export const datasetHandlers: {
  'datasets.list': Handler<'datasets.list'>
  'datasets.open': Handler<'datasets.open'>
  'datasets.thumbnails': Handler<'datasets.thumbnails'>
  'datasets.synthFaces': Handler<'datasets.synthFaces'>
  'fs.listDir': Handler<'fs.listDir'>
} = {
  'datasets.list': (_request, context) => {
    const path = syntheticFacesPath(context)
    return {
      recent: recentDatasets(context.db),
      syntheticFaces: { path, exists: existsSync(join(path, 'list_attr_celeba.txt')) }
    }
  },
  'datasets.open': async ({ path, label }, context) => {
    const dataset = await context.datasets.open(path, label)
    const summary = { ...dataset.summary, warnings: dataset.warnings() }
    if (summary.path !== BUNDLED_MNIST) rememberDataset(context.db, summary)
    return summary
  },
  'datasets.thumbnails': async ({ path, label, refs, size }, context) => {
    const dataset = await context.datasets.open(path, label)
    const images = await Promise.all(
      refs.map(async (ref) => {
        try {
          return new Uint8Array(await dataset.split(ref.split).thumbnail(ref.index, size))
        } catch {
          return null // an unreadable image shows as a gap in the grid; the warnings list names it
        }
      })
    )
    return { images }
  },
  'datasets.synthFaces': async (request, context) => {
    const out = resolve(request.out === 'default' ? syntheticFacesPath(context) : request.out)
    const result = await generateSyntheticFaces(out, {
      count: request.count,
      size: request.size,
      seed: request.seed,
      rates: request.rates,
      onProgress: (p) => context.events.emit('datasets.progress', { path: out, ...p })
    })
    context.datasets.forget(out)
    return result
  },
  'fs.listDir': ({ path }) => listDir(path)
}

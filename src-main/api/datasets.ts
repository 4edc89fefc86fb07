import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { BUNDLED_MNIST } from '../../src-shared/dataset'
import { generateSyntheticFaces } from '../engine/data/index'
import { listDatasetFolder } from '../engine/data/listFolder'
import { recentDatasets, rememberDataset } from '../engine/store/recentDatasets'
import type { ApiContext } from './context'
import type { Handler } from './router'

function syntheticFacesPath(context: ApiContext): string {
  return join(context.workspace.dir, 'datasets', 'synthetic-faces')
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
  'fs.listDir': ({ path }) => listDatasetFolder(path)
}

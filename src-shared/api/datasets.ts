import { z } from 'zod'
import { DatasetFormat, DatasetProgress, DatasetSummary, InspectDatasetRequest, SampleRef, SynthFacesRequest, SynthFacesResult } from '../dataset'

export const RecentDataset = z.object({ path: z.string(), name: z.string(), format: DatasetFormat, openedAt: z.string() })
export type RecentDataset = z.infer<typeof RecentDataset>

export const DatasetList = z.object({
  recent: z.array(RecentDataset),
  /** Where "Generate synthetic faces" writes by default, and whether it is there already. */
  syntheticFaces: z.object({ path: z.string(), exists: z.boolean() })
})
export type DatasetList = z.infer<typeof DatasetList>

export const DirectoryListing = z.object({
  path: z.string(),
  parent: z.string().nullable(),
  entries: z.array(z.object({ name: z.string(), path: z.string(), kind: z.enum(['folder', 'file']) })),
  /** Set when the folder could be read only in part (e.g. too many entries). */
  note: z.string().nullable()
})
export type DirectoryListing = z.infer<typeof DirectoryListing>

export const datasetMethods = {
  'datasets.list': { request: z.object({}).strict(), response: DatasetList },
  /** Opens a folder (or "mnist"), detects its format, checks it, and remembers it. */
  'datasets.open': { request: InspectDatasetRequest.strict(), response: DatasetSummary },
  /** PNG thumbnails for the sample grid, in the order asked. */
  'datasets.thumbnails': {
    request: z.object({ path: z.string().min(1), label: z.string().min(1).optional(), refs: z.array(SampleRef).max(256), size: z.number().int().min(8).max(256).default(64) }).strict(),
    response: z.object({ images: z.array(z.instanceof(Uint8Array).nullable()) })
  },
  'datasets.synthFaces': { request: SynthFacesRequest.strict(), response: SynthFacesResult },
  /** For the folder browser of the web host: the folders (and image files) inside a folder. */
  'fs.listDir': { request: z.object({ path: z.string().optional() }).strict(), response: DirectoryListing }
} as const

export const datasetEvents = {
  'datasets.progress': DatasetProgress.extend({ path: z.string() })
} as const

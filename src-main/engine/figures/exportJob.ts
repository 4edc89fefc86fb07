/**
 * One export (a figure, or a composition with its panels' specs) as plain data, so it can be
 * rendered in a worker of its own: a 60,000-point chart or a large PDF takes seconds and
 * gigabytes, which must neither block the analyses nor stay with the host afterwards.
 */
import type { ExportOptions, FigureSpec } from '../../../src-shared/figure'
import type { CompositionLayout } from '../../../src-shared/figureSet'
import { jobWorker, type JobWorker } from '../tasks/ownWorker'
import { compositionDrawing, compositionStyle, type PanelSource } from './composition'
import { exportFigure, renderDrawing, type RenderedFile } from './exportFigure'

export type ExportJob =
  | { kind: 'figure'; spec: FigureSpec; options: ExportOptions }
  | { kind: 'composition'; layout: CompositionLayout; sources: PanelSource[]; widthIn: number; options: ExportOptions }

/** Renders the job on this thread (what the export worker does). */
export function runExportJob(job: ExportJob): Promise<RenderedFile> {
  if (job.kind === 'figure') return exportFigure(job.spec, job.options)
  return renderDrawing((mode) => compositionDrawing(job.layout, job.sources, mode, job.widthIn), job.options, compositionStyle(job.layout))
}

/** A worker holding more than this after an export ends, so a large export's memory goes back at once. */
const KEEP_BELOW_MB = 128
/** An export whose JavaScript heap grows past this is stopped with a clear error. */
const MAX_HEAP_MB = 4096

let exporter: JobWorker<ExportJob, RenderedFile> | null = null

/**
 * Renders the job in the export worker: one at a time, in a worker kept warm for the next export
 * (starting one costs about a second) until it has waited 30 s, or has just done a large export.
 */
export function exportInWorker(job: ExportJob): Promise<RenderedFile> {
  exporter ??= jobWorker<ExportJob, RenderedFile>(new URL('./exportWorker.ts', import.meta.url), {
    what: 'the export',
    maxHeapMb: MAX_HEAP_MB,
    endAfter: (heapMb) => heapMb > KEEP_BELOW_MB,
    idleMs: 30_000
  })
  return exporter.run(job)
}

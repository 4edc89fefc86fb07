/** The export worker: renders export jobs (see exportInWorker) one at a time. */
import { serveJobs } from '../tasks/ownWorker'
import { runExportJob, type ExportJob } from './exportJob'
import type { RenderedFile } from './exportFigure'

/** The file's bytes are moved to the caller, not copied, when they own their whole buffer. */
function ownBuffer(file: RenderedFile): ArrayBuffer[] {
  const { buffer, byteOffset, byteLength } = file.bytes
  return buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength && byteLength > 64 * 1024 ? [buffer] : []
}

serveJobs((job: ExportJob) => runExportJob(job), ownBuffer)

import { join } from 'node:path'
import { DATA_LIMITS, mapLimited, type WorkOptions } from './limits'
import { probeImage } from './probe'
import type { FileSource, ShapeTally } from './table'
import type { WarningCollector } from './warnings'

export interface ReadContext extends WorkOptions {
  warnings: WarningCollector
  maxPixels: number
}

export interface CheckedFiles {
  source: FileSource
  /** For each kept file, its position in the input list (to carry labels along). */
  kept: Int32Array
}

/**
 * Probes every listed image, records each bad one as a warning and returns the good ones.
 * `rels` are relative to `root`; `prefix` makes warning examples relative to the dataset folder.
 */
export async function checkImageFiles(root: string, rels: string[], ctx: ReadContext, tally: ShapeTally, prefix = ''): Promise<CheckedFiles> {
  let done = 0
  const report = (): void => ctx.onProgress?.({ phase: 'checking', done, total: rels.length })
  report()
  const results = await mapLimited(
    rels,
    DATA_LIMITS.concurrency,
    async (rel) => {
      const result = await probeImage(join(root, rel), ctx.maxPixels)
      if (++done % 1000 === 0) report()
      return result
    },
    ctx.signal
  )
  report()
  const keptFiles: string[] = []
  const kept: number[] = []
  const widths: number[] = []
  const heights: number[] = []
  results.forEach((result, i) => {
    const shown = prefix + rels[i]
    if (!result.ok) {
      ctx.warnings.add(result.code, shown)
      return
    }
    if (result.mismatch) ctx.warnings.add('extension_mismatch', `${shown} (${result.info.encoding.toUpperCase()} content)`)
    tally.add(result.info.width, result.info.height, result.info.channels, result.info.encoding)
    keptFiles.push(rels[i])
    kept.push(i)
    widths.push(result.info.width)
    heights.push(result.info.height)
  })
  return {
    source: { kind: 'files', root, files: keptFiles, widths: Uint32Array.from(widths), heights: Uint32Array.from(heights) },
    kept: Int32Array.from(kept)
  }
}

/** The most frequent skipped-file reason, for a fatal "no usable images" message. */
export function mainProblem(warnings: WarningCollector): string {
  const top = warnings.mainSkipReason()
  return top ? ` (${top.message}${top.examples.length ? `, e.g. ${top.examples[0]}` : ''})` : ''
}

/** The kept files at the given positions of `checked.kept`, as their own source. */
export function pickFiles(checked: CheckedFiles, members: number[]): FileSource {
  const { source } = checked
  return {
    kind: 'files',
    root: source.root,
    files: members.map((k) => source.files[k]),
    widths: Uint32Array.from(members, (k) => source.widths[k]),
    heights: Uint32Array.from(members, (k) => source.heights[k])
  }
}

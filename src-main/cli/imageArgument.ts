/** The image and split arguments of the explain, top9 and invariance commands. */
import { existsSync, readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { SplitName } from '../../src-shared/dataset'
import { ApiError } from '../../src-shared/errors'
import type { ImageChoice } from '../../src-shared/inspect'

/** --image: a file to upload, or the index of an example of --split (default test). */
export function imageArgument(value: string | undefined, split: string | undefined, flag = 'image'): ImageChoice {
  if (value === undefined) throw new ApiError('invalid_request', `--${flag} is required: a PNG/JPEG file, or the index of a dataset example (with --split)`)
  const splitName = splitArgument(split) ?? 'test'
  if (/^\d+$/.test(value.trim())) return { split: splitName, index: Number(value) }
  if (!existsSync(value)) throw new ApiError('invalid_request', `--${flag}: "${value}" is neither an example index nor an existing image file`)
  return { encoded: new Uint8Array(readFileSync(value)), name: basename(value) }
}

export function splitArgument(value: string | undefined): SplitName | undefined {
  if (value === undefined) return undefined
  const parsed = SplitName.safeParse(value)
  if (!parsed.success) throw new ApiError('invalid_request', `--split must be one of ${SplitName.options.join(', ')}; got "${value}"`)
  return parsed.data
}

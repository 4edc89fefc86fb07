import { readFile, stat } from 'node:fs/promises'
import { ApiError } from '../../../src-shared/errors'
import { DATA_LIMITS } from './limits'

/** Reads a label or attribute file as UTF-8, refusing files too big to be one. */
export async function readTextFile(abs: string, maxBytes: number = DATA_LIMITS.maxTextBytes): Promise<string> {
  try {
    const info = await stat(abs)
    if (!info.isFile()) throw new ApiError('bad_input', `${abs}: not a regular file; it should be a text file`)
    if (info.size > maxBytes) throw new ApiError('bad_input', `${abs}: ${info.size} bytes is too large for a label file (limit ${maxBytes})`)
    return (await readFile(abs, 'utf8')).replace(/^\uFEFF/, '')
  } catch (err) {
    if (err instanceof ApiError) throw err
    const code = (err as NodeJS.ErrnoException).code
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied; make it readable' : `cannot be read (${code ?? (err as Error).message})`
    throw new ApiError('bad_input', `${abs}: ${why}`)
  }
}

/** Splits one CSV line, honouring double quotes ("a,b" and "" inside quotes). */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"'
        i++
      } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"' && field.trim() === '') {
      quoted = true
      field = ''
    } else if (ch === ',') {
      fields.push(field.trim())
      field = ''
    } else field += ch
  }
  fields.push(field.trim())
  return fields
}

/** Lines with their 1-based numbers, skipping blank ones. */
export function numberedLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = []
  text.split(/\r?\n/).forEach((t, i) => {
    if (t.trim() !== '') out.push({ line: i + 1, text: t })
  })
  return out
}

/** A path from a label file, if it stays inside the dataset folder. */
export function safeRelative(name: string): string | null {
  const rel = name.replace(/\\/g, '/').replace(/^\.\//, '')
  if (rel === '' || rel.startsWith('/') || /^[a-zA-Z]:/.test(rel) || rel.split('/').includes('..')) return null
  return rel
}

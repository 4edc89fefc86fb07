import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { ApiError } from '../../../src-shared/errors'
import { MAX_SMALL_FILE_BYTES, readModelFile } from './modelFiles'

export interface ClassNames {
  names: string[]
  from: string
}

/** Class names from a JSON value: a list, {"labels"|"classNames"|"classes": list}, or {"0": "cat", …}. */
export function classNamesFromJson(value: unknown): string[] | null {
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value.map(String)
  if (value === null || typeof value !== 'object') return null
  const obj = value as Record<string, unknown>
  for (const key of ['labels', 'classNames', 'class_names', 'classes']) {
    const inner = classNamesFromJson(obj[key])
    if (inner) return inner
  }
  const keys = Object.keys(obj)
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k)) && keys.every((k) => typeof obj[k] === 'string' || Array.isArray(obj[k]))) {
    // ImageNet's class index: {"0": ["n01440764", "tench"], …}
    const names: string[] = []
    for (const k of keys) {
      const v = obj[k]
      names[Number(k)] = Array.isArray(v) ? String(v[v.length - 1]) : String(v)
    }
    if (names.every((n) => n !== undefined)) return names
  }
  return null
}

/** Reads a labels file the user named: one class per line, or JSON. */
export async function readLabelsFile(path: string): Promise<ClassNames> {
  const bytes = await readModelFile(path, { what: 'labels file', maxBytes: MAX_SMALL_FILE_BYTES })
  const text = bytes.toString('utf8')
  if (/^\s*[[{]/.test(text)) {
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      throw new ApiError('bad_input', `labels file ${path} starts like JSON but is not valid JSON; give one class name per line or a JSON list`)
    }
    const names = classNamesFromJson(json)
    if (!names) throw new ApiError('bad_input', `labels file ${path} holds JSON without a list of class names; give a list, {"labels": [...]} or {"0": "name", ...}`)
    return { names, from: basename(path) }
  }
  const names = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0)
  if (names.length === 0) throw new ApiError('bad_input', `labels file ${path} is empty; give one class name per line`)
  return { names, from: basename(path) }
}

/** TF.js / Teachable Machine metadata.json beside model.json: its labels, and whether it is Teachable Machine's. */
export async function readMetadataJson(path: string): Promise<{ names: string[] | null; teachableMachine: boolean } | null> {
  const info = await stat(path).catch(() => null)
  if (!info?.isFile()) return null
  const bytes = await readModelFile(path, { what: 'metadata.json', maxBytes: MAX_SMALL_FILE_BYTES })
  let json: unknown
  try {
    json = JSON.parse(bytes.toString('utf8'))
  } catch {
    throw new ApiError('bad_input', `${path} is not valid JSON; fix or remove it (it should hold the model's "labels")`)
  }
  const tm = json !== null && typeof json === 'object' && ('tmVersion' in json || 'packageName' in json)
  return { names: classNamesFromJson(json), teachableMachine: tm }
}

/** The model's class names for `outputs` outputs: the first source that has them, else numbered. */
export function chooseClassNames(outputs: number, candidates: (ClassNames | null)[], path: string): ClassNames {
  for (const c of candidates) {
    if (!c) continue
    if (c.names.length !== outputs) {
      throw new ApiError('bad_input', `${c.from} lists ${c.names.length} class names but ${path} has ${outputs} outputs; give a labels file with one name per output`)
    }
    return c
  }
  return { names: Array.from({ length: outputs }, (_, i) => `class ${i}`), from: 'numbered' }
}

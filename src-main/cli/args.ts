import { parseArgs, type ParseArgsConfig } from 'node:util'
import { ApiError } from '../../src-shared/errors'

type Options = NonNullable<ParseArgsConfig['options']>

/** parseArgs with errors a user can act on instead of Node's TypeError. */
export function parseCommandArgs<O extends Options>(command: string, args: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true })
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    throw new ApiError('invalid_request', `${command}: ${message}. Run "featurelens ${command} --help" for usage.`)
  }
}

/** Parses an integer option, naming the option when it is not one. */
export function intOption(name: string, value: string | undefined, fallback: number, min = Number.MIN_SAFE_INTEGER): number {
  if (value === undefined) return fallback
  if (!/^-?\d+$/.test(value.trim())) throw new ApiError('invalid_request', `--${name} must be a whole number, got "${value}"`)
  const parsed = Number(value)
  if (parsed < min) throw new ApiError('invalid_request', `--${name} must be at least ${min}, got ${parsed}`)
  return parsed
}

/** Parses a number option, naming the option when it is not a number. */
export function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value.trim())
  if (value.trim() === '' || !Number.isFinite(n)) throw new ApiError('invalid_request', `--${name} must be a number, got "${value}"`)
  return n
}

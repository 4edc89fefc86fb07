/** Options the early-exit, descriptor and feature-map training commands share. */
import { ApiError } from '../../../src-shared/errors'

export function listOption(value: string | undefined): string[] | undefined {
  const list = value?.split(',').map((s) => s.trim()).filter(Boolean)
  return list && list.length ? list : undefined
}

export function oneRun(command: string, positionals: string[]): string {
  if (positionals.length !== 1) throw new ApiError('invalid_request', `${command} needs one run id, got ${positionals.length}; "featurelens runs list" shows them`)
  return positionals[0]
}

import type { ArchitectureTable } from '../../../src-shared/architecture'
import { ApiError } from '../../../src-shared/errors'

/** Run ids look like run-20260101-abc123 (see newRunId). */
export function looksLikeRunId(text: string): boolean {
  return /^run-[\w-]+$/.test(text)
}

/**
 * The architecture table of a training run: the model it trains, read from the workspace
 * with the same code the inspector uses. The weights do not matter for the table, so the
 * last stored epoch serves.
 */
export async function runArchitectureTable(runId: string, values: Record<string, string | boolean | undefined>): Promise<ArchitectureTable> {
  for (const flag of ['width', 'channels', 'classes', 'input'] as const) {
    if (values[flag] !== undefined) throw new ApiError('invalid_request', `--${flag} does not apply to a run; its model and input are fixed by the run's settings`)
  }
  // tfjs and the workspace load only for a run, not for a built-in model name.
  const { openApi } = await import('../../api/openApi')
  const api = openApi({ workspace: values.workspace as string | undefined, shell: 'web' })
  try {
    return await api.call('inspect.architecture', { runId })
  } finally {
    api.close()
  }
}

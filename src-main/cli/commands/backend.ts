import { BackendName, adapterLabel, backendNames, type BackendReport } from '../../../src-shared/backend'
import { ApiError } from '../../../src-shared/errors'
import { parseCommandArgs } from '../args'
import type { Command } from '../command'

const usage = `Usage: featurelens backend [--backend NAME] [--json]

Shows which compute backend training and analysis use, and for each candidate
(${backendNames.join(', ')}, in order of preference) whether it loads and why not.

Options:
  --backend NAME  try this backend first (else the FEATURELENS_BACKEND environment
                  variable); exits with status 1 if it could not be used
  --json          print the report as JSON`

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(bytes >= 2 ** 30 ? 1 : 2)} GiB`

function describe(report: BackendReport): string[] {
  const width = Math.max(...report.candidates.map((c) => c.name.length))
  const lines = [`Compute backend: ${report.chosen}`, '']
  for (const c of report.candidates) {
    lines.push(`  ${c.name.padEnd(width)}  ${c.name === report.chosen ? 'in use' : c.reason}`)
    if (c.adapter && c.name !== report.chosen) {
      const limits = `largest buffer ${gib(c.adapter.maxBufferSize)}`
      lines.push(`  ${''.padEnd(width)}  adapter: ${adapterLabel(c.adapter)}, ${limits}`)
    }
  }
  const { fallback, ...facts } = report.details
  const factList = Object.entries(facts).map(([key, value]) => `${key}: ${typeof value === 'number' && /Size$/.test(key) ? `${gib(value)} (${value} bytes)` : value}`)
  if (factList.length > 0) lines.push('', `${report.chosen}:`, ...factList.map((f) => `  ${f}`))
  if (fallback !== undefined) lines.push('', `Note: ${fallback}`)
  return lines
}

export const backendCommand: Command = {
  name: 'backend',
  summary: 'show the compute backend and why the others were not used',
  usage,
  async run(args, io) {
    const { values } = parseCommandArgs('backend', args, { json: { type: 'boolean' }, backend: { type: 'string' } }, false)
    const requested = values.backend
    if (requested !== undefined && !BackendName.safeParse(requested).success) {
      throw new ApiError('invalid_request', `--backend must be one of ${backendNames.join(', ')}, got "${requested}"`)
    }
    // Loading tfjs takes a moment, so only commands that need it pay for it.
    const { initBackend } = await import('../../engine/backend/select')
    const report = await initBackend(requested ?? null)
    if (values.json) io.out(JSON.stringify(report, null, 2))
    else for (const line of describe(report)) io.out(line)
    return requested !== undefined && report.chosen !== requested ? 1 : 0
  }
}

import { ApiError } from '../../../src-shared/errors'
import { openApi } from '../../api/openApi'
import { parseCommandArgs } from '../args'
import type { Command } from '../command'
import { exportArgs, exportOptionsOf, exportUsage } from '../exportOptions'
import { checkOutput, writeOutput } from '../outputFile'

const usage = `Usage: featurelens export FIGURE_ID|--composition ID --format svg|png|pdf|csv [options]

Renders a saved figure or a poster composition ("featurelens figures list" shows the ids)
to a file, without a browser.

${exportUsage}`

export const exportCommand: Command = {
  name: 'export',
  summary: 'render a saved figure or composition to SVG, PNG, PDF or CSV',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('export', args, { ...exportArgs, composition: { type: 'string' } })
    const figureId = positionals[0]
    if (!figureId === !values.composition) throw new ApiError('invalid_request', 'export needs a FIGURE_ID or --composition ID ("featurelens figures list" shows them)')
    const options = exportOptionsOf(values)
    const force = values.force === true
    const out = values.out !== undefined ? checkOutput(values.out, force) : null
    const api = openApi({ workspace: values.workspace, shell: 'web' })
    try {
      const file = values.composition
        ? await api.call('compositions.export', { id: values.composition, options })
        : await api.call('figures.export', { id: figureId, options })
      const path = out ?? checkOutput(file.fileName, force)
      await writeOutput(path, file.bytes, force)
      for (const w of file.warnings) io.err(`warning: ${w}`)
      io.out(values.json ? JSON.stringify({ path, bytes: file.bytes.byteLength, mime: file.mime, warnings: file.warnings }) : `wrote ${path} (${file.bytes.byteLength} bytes)`)
      return 0
    } finally {
      api.close()
    }
  }
}

import { ApiError } from '../../../src-shared/errors'
import { pageSizeOf } from '../../../src-shared/figures/pageSizes'
import { openApi } from '../../api/openApi'
import { parseCommandArgs } from '../args'
import type { Command } from '../command'

const usage = `Usage: featurelens figures list [--json] [--workspace DIR]

  list    the figure set (figures saved with "Add to figure set") and the compositions
          of the Figures page, with the ids "featurelens export" takes`

/** A page size as a person names it: the preset (A0 portrait), else inches. */
function pageLabel(widthIn: number, heightIn: number): string {
  return pageSizeOf(widthIn, heightIn) ?? `${Number(widthIn.toFixed(2))}×${Number(heightIn.toFixed(2))} in`
}

export const figuresCommand: Command = {
  name: 'figures',
  summary: 'list saved figures and poster compositions',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('figures', args, { workspace: { type: 'string' }, json: { type: 'boolean' } })
    if (positionals[0] !== 'list') throw new ApiError('invalid_request', `figures needs "list"; got "${positionals[0] ?? ''}"`)
    const api = openApi({ workspace: values.workspace, shell: 'web' })
    try {
      const figures = await api.call('figures.list', {})
      const compositions = await api.call('compositions.list', {})
      if (values.json) {
        io.out(JSON.stringify({ figures, compositions }))
        return 0
      }
      if (!figures.length && !compositions.length) {
        io.out('No saved figures yet. In the app, use Export → "Add to figure set" on any chart or map.')
        return 0
      }
      io.out(['FIGURE'.padEnd(14), 'KIND'.padEnd(8), 'SOURCE'.padEnd(12), 'TITLE'].join(' '))
      for (const f of figures) io.out([f.id.padEnd(14), f.kind.padEnd(8), f.source.padEnd(12), f.title + (f.missingRuns.length ? `  (run ${f.missingRuns.join(', ')} deleted)` : '')].join(' '))
      if (compositions.length) {
        io.out('')
        io.out(['COMPOSITION'.padEnd(14), 'PANELS'.padEnd(8), 'SIZE'.padEnd(18), 'NAME'].join(' '))
        for (const c of compositions) io.out([c.id.padEnd(14), String(c.layout.panels.length).padEnd(8), pageLabel(c.layout.widthIn, c.layout.heightIn).padEnd(18), c.name].join(' '))
      }
      return 0
    } finally {
      api.close()
    }
  }
}

import { ApiError } from '../../../src-shared/errors'
import type { FigureSpec } from '../../../src-shared/figure'
import { ckaMatrixFigure } from '../../../src-shared/figures/compareFigures'
import { applyFigureText } from '../../../src-shared/figures/figureText'
import { featureMapFigure } from '../../../src-shared/figures/mapFigures'
import { runAccuracyFigure, runLossFigure } from '../../../src-shared/figures/runFigures'
import { matrixFigure } from '../../../src-shared/figures/weightFigures'
import type { InspectOverview } from '../../../src-shared/inspect'
import { featureMapGridFigure, filterGridFigure, parseChannels } from '../../../src-shared/figures/gridFigures'
import { openApi, type OpenApi } from '../../api/openApi'
import { intOption, parseCommandArgs } from '../args'
import type { Command } from '../command'
import { exportArgs, exportOptionsOf, exportUsage } from '../exportOptions'
import { figureTextArgs, figureTextOf, figureTextUsage } from '../figureTextArgs'
import { checkOutput, writeOutput } from '../outputFile'

const usage = `Usage: featurelens plot RUN curves|weights|featuremaps|filters|cka [what] --format svg|png|pdf|csv [options]
       featurelens plot RUN … --save [--format F --out FILE]

Renders a standard figure of a run straight to a file, for scripts and headless machines.
With --save the figure also goes into the figure set, and its id is printed (for "featurelens compose").

  curves       [--metric loss|accuracy]                 the training curves (default loss)
  weights      [--weight NAME|N] [--epoch N]            a weight tensor as a matrix (default the first, last epoch)
  featuremaps  [--layer NAME] [--channel C] [--image N] [--epoch N]
                                                        one channel's map for test image N (default the first spatial layer, channel 0, image 0)
               --grid [--channels 0-31,40]              the layer's maps (all, or the channels given) as one figure, one colour scale
  filters      --layer NAME --grid [--epoch N]          a conv layer's filters as one figure
  cka          --with RUN_B [--self] [--examples N] [--epoch N]
                                                        layer × layer CKA against RUN_B (--self: RUN's layers against each other)

${exportUsage}

${figureTextUsage}
  --save              add the figure to the figure set and print its id (a file is written only with --format)`

const KINDS = ['curves', 'weights', 'featuremaps', 'filters', 'cka'] as const
type Kind = (typeof KINDS)[number]

async function lastEpoch(api: OpenApi, runId: string, epoch: string | undefined): Promise<{ overview: InspectOverview; epoch: number }> {
  const overview = await api.call('inspect.overview', { runId })
  if (!overview.epochs.length) throw new ApiError('bad_input', `run ${runId} has no stored epoch yet; train it first`)
  const chosen = intOption('epoch', epoch, overview.epochs[overview.epochs.length - 1], 0)
  if (!overview.epochs.includes(chosen)) throw new ApiError('invalid_request', `--epoch ${chosen}: run ${runId} has epochs ${overview.epochs.join(', ')}`)
  return { overview, epoch: chosen }
}

async function figureOf(api: OpenApi, runId: string, kind: Kind, v: Record<string, string | boolean | undefined>): Promise<FigureSpec> {
  const str = (k: string): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined)
  if (kind === 'curves') {
    const run = await api.call('runs.get', { id: runId })
    const metric = str('metric') ?? 'loss'
    if (metric !== 'loss' && metric !== 'accuracy') throw new ApiError('invalid_request', `--metric must be loss or accuracy, got "${metric}"`)
    return metric === 'loss' ? runLossFigure(run, `Loss · ${run.name}`) : runAccuracyFigure(run, `Accuracy · ${run.name}`)
  }
  if (kind === 'weights') {
    const { overview, epoch } = await lastEpoch(api, runId, str('epoch'))
    const ref = str('weight')
    const weight = ref === undefined ? 0 : /^\d+$/.test(ref) ? Number(ref) : ref
    if (typeof weight === 'string' && !overview.weights.some((w) => w.name === weight)) {
      throw new ApiError('invalid_request', `--weight ${weight}: run ${runId} has ${overview.weights.map((w) => w.name).join(', ')}`)
    }
    const r = await api.call('inspect.weights', { runId, epoch, weight, maxRows: 4096, maxCols: 4096 })
    return matrixFigure(r.matrix, `${r.name} at epoch ${epoch}`, 'coolwarm', true, 'weight')
  }
  if (kind === 'filters') {
    const { overview, epoch } = await lastEpoch(api, runId, str('epoch'))
    const layer = str('layer') ?? overview.layers.find((l) => l.className.toLowerCase().includes('conv'))?.name
    if (!layer) throw new ApiError('bad_input', `run ${runId}'s model has no conv layer with filters`)
    if (!v.grid) throw new ApiError('invalid_request', 'plot filters draws a layer\'s filters as one figure: add --grid')
    const auto = await api.call('inspect.filters', { runId, epoch, layers: [layer] })
    // One tile per filter: a per-input-channel view becomes the mean over input channels.
    const r = auto.layers[0]?.view === 'perInput' ? (await api.call('inspect.filters', { runId, epoch, layers: [layer], view: 'mean' })) : auto
    const filters = r.layers[0]
    if (!filters) throw new ApiError('invalid_request', `--layer ${layer}: not a conv layer of run ${runId}`)
    const run = await api.call('runs.get', { id: runId })
    return gridFigure(() => filterGridFigure(filters, `${layer} · ${filters.filters} filters · ${run.name} · epoch ${epoch}`))
  }
  if (kind === 'featuremaps') {
    const { overview, epoch } = await lastEpoch(api, runId, str('epoch'))
    const layer = str('layer') ?? overview.layers.find((l) => l.spatial)?.name
    if (!layer) throw new ApiError('bad_input', `run ${runId}'s model has no layer with feature maps`)
    const image = intOption('image', str('image'), 0, 0)
    const r = await api.call('inspect.featureMaps', { runId, epoch, image: { split: 'test', index: image }, layers: [layer] })
    const maps = r.layers[0]
    if (v.grid) {
      const channels = str('channels')
      const run = await api.call('runs.get', { id: runId })
      return gridFigure(() =>
        featureMapGridFigure(maps, `${layer} · ${channels ? `channels ${channels}` : `${maps.shape[2]} channels`} · ${r.input.source} · ${run.name} · epoch ${epoch}`, channels ? parseChannels(channels, maps.shape[2]) : undefined)
      )
    }
    const channel = intOption('channel', str('channel'), 0, 0)
    if (channel >= maps.shape[2]) throw new ApiError('invalid_request', `--channel ${channel}: ${layer} has ${maps.shape[2]} channels (0–${maps.shape[2] - 1})`)
    return { ...featureMapFigure(maps, channel, false), title: `${layer} · channel ${channel} · ${r.input.source} · epoch ${epoch}` }
  }
  const other = str('with')
  if (!other) throw new ApiError('invalid_request', 'plot cka needs --with RUN_B, the run to compare with (add --self for the layers of RUN against each other)')
  const examples = intOption('examples', str('examples'), 256, 4)
  const epoch = str('epoch') === undefined ? undefined : intOption('epoch', str('epoch'), 0, 0)
  const r = await api.call('compare.cka', { a: runId, b: other, examples: { count: examples }, epoch })
  if (v.self) return ckaMatrixFigure(r.selfA, r.layersA, r.layersA, `Linear CKA within ${runId}, epoch ${r.epoch}`, runId, runId)
  return ckaMatrixFigure(r.cross, r.layersA, r.layersB, `Linear CKA, epoch ${r.epoch}`, runId, other)
}

/** A grid figure, with the builder's complaint about the options said as a usage error. */
function gridFigure(build: () => FigureSpec): FigureSpec {
  try {
    return build()
  } catch (err) {
    throw new ApiError('invalid_request', (err as Error).message)
  }
}

export const plotCommand: Command = {
  name: 'plot',
  summary: "render a run's curves, weights, feature maps or CKA straight to a file",
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('plot', args, {
      ...exportArgs,
      metric: { type: 'string' },
      weight: { type: 'string' },
      epoch: { type: 'string' },
      layer: { type: 'string' },
      channel: { type: 'string' },
      image: { type: 'string' },
      with: { type: 'string' },
      examples: { type: 'string' },
      self: { type: 'boolean' },
      grid: { type: 'boolean' },
      channels: { type: 'string' },
      save: { type: 'boolean' },
      ...figureTextArgs
    })
    const [runId, kind] = positionals
    if (!runId || !kind) throw new ApiError('invalid_request', 'plot needs a run id and one of curves, weights, featuremaps, cka ("featurelens runs list" shows the runs)')
    if (!KINDS.includes(kind as Kind)) throw new ApiError('invalid_request', `plot: "${kind}" is not one of ${KINDS.join(', ')}`)
    // With --save alone, nothing is written: the figure goes to the figure set.
    const options = values.save && values.format === undefined ? null : exportOptionsOf(values)
    const text = figureTextOf(values)
    const force = values.force === true
    const out = options && values.out !== undefined ? checkOutput(values.out, force) : null
    const api = openApi({ workspace: values.workspace, shell: 'web' })
    try {
      const spec = applyFigureText(await figureOf(api, runId, kind as Kind, values), text)
      const saved = values.save ? (await api.call('figures.save', { spec, source: 'Command line', runIds: [runId] })) : null
      if (!options) {
        io.out(values.json ? JSON.stringify({ id: saved?.id }) : `saved figure ${saved?.id} ("${saved?.title}") to the figure set`)
        return 0
      }
      const file = await api.call('figures.export', { spec, options })
      const path = out ?? checkOutput(file.fileName, force)
      await writeOutput(path, file.bytes, force)
      io.out(values.json ? JSON.stringify({ path, bytes: file.bytes.byteLength, mime: file.mime, ...(saved ? { id: saved.id } : {}) }) : `wrote ${path} (${file.bytes.byteLength} bytes)${saved ? `; saved figure ${saved.id} to the figure set` : ''}`)
      return 0
    } finally {
      api.close()
    }
  }
}

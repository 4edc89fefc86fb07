import { resolve } from 'node:path'
import { ApiError } from '../../../src-shared/errors'
import { mosaicFigure, normalisedProjection, PROJECTION_SCALE } from '../../../src-shared/figures/explainFigures'
import { intOption, parseCommandArgs } from '../args'
import type { Command } from '../command'
import { splitArgument } from '../imageArgument'
import { withTask } from '../task'
import { writeFigurePng, type WrittenMap } from '../figurePng'

const usage = `Usage: featurelens top9 RUN --layer L [options]

For each chosen channel of a layer, the 9 images of a dataset sample that activate it most
(Zeiler & Fergus 2014, Fig. 2): the patch of each image under the strongest unit (its receptive
field), and that unit projected back to pixels by a deconvnet and by guided backpropagation.
Writes one PNG per channel, epoch and kind (3×3 mosaics), and the numbers as JSON.

Options:
  --layer L          a layer with spatial maps (required)
  --channel C        one channel (default: channels 0..7); --channels 0-7 or 3,5,9 for several
  --epochs E1,E2     epochs side by side (default: the last)
  --split S          train, val, test or all (default: test)
  --sample N         images to search (default 300)
  --seed N           seed of the sample (default 0)
  --out DIR          folder for the PNG files (default: top9-RUN)
  --json             print JSON
  --workspace DIR    workspace directory`

function channelList(channel: string | undefined, channels: string | undefined, count: number): number[] {
  if (channel !== undefined) return [intOption('channel', channel, 0)]
  if (channels === undefined) return Array.from({ length: Math.min(8, count) }, (_, i) => i)
  const range = /^(\d+)-(\d+)$/.exec(channels.trim())
  if (range) {
    const [from, to] = [Number(range[1]), Number(range[2])]
    if (to < from) throw new ApiError('invalid_request', `--channels ${channels}: the range runs backwards`)
    return Array.from({ length: to - from + 1 }, (_, i) => from + i)
  }
  return channels.split(',').map((c) => intOption('channels', c.trim(), 0))
}

export const top9Command: Command = {
  name: 'top9',
  summary: 'the 9 strongest activations of channels over a dataset sample, with deconvnet and guided-backprop projections',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('top9', args, {
      layer: { type: 'string' },
      channel: { type: 'string' },
      channels: { type: 'string' },
      epochs: { type: 'string' },
      split: { type: 'string' },
      sample: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      workspace: { type: 'string' }
    })
    if (positionals.length !== 1) throw new ApiError('invalid_request', `top9 needs one run id, got ${positionals.length}; "featurelens runs list" shows them`)
    if (!values.layer) throw new ApiError('invalid_request', '--layer is required: a layer with spatial maps ("featurelens arch RUN" lists them)')
    const runId = positionals[0]
    return withTask(values.workspace, io, async (api, taskId) => {
      const overview = await api.call('explain.overview', { runId })
      const layer = overview.layers.find((l) => l.name === values.layer)
      if (!layer || !layer.spatial) {
        throw new ApiError('invalid_request', `--layer: ${layer ? `"${values.layer}" has no spatial maps` : `the run has no layer "${values.layer}"`}; choose one of ${overview.layers.filter((l) => l.spatial).map((l) => l.name).join(', ')}`)
      }
      const epochs = values.epochs ? values.epochs.split(',').map((e) => intOption('epochs', e.trim(), 0, 0)) : [overview.epochs[overview.epochs.length - 1]]
      const r = await api.call('explain.top9', {
        runId,
        epochs,
        layer: layer.name,
        channels: channelList(values.channel, values.channels, layer.shape[2]),
        split: splitArgument(values.split),
        sample: intOption('sample', values.sample, 300, 9),
        seed: intOption('seed', values.seed, 0, 0),
        taskId
      })
      const out = resolve(values.out ?? `top9-${runId}`)
      const [ph, pw, pc] = r.patchShape
      const files: (WrittenMap & { epoch: number; channel: number; kind: string })[] = []
      for (const e of r.epochs) {
        for (const c of e.channels) {
          for (const kind of ['patch', 'deconvnet', 'guided'] as const) {
            const tiles = c.top.map((t) => (kind === 'patch' ? t[kind] : normalisedProjection(t[kind])))
            const spec = mosaicFigure(tiles, ph, pw, pc, 3, `${r.layer} channel ${c.channel}, epoch ${e.epoch}: ${kind}`)
            const written = await writeFigurePng(out, `epoch${e.epoch}-channel${c.channel}-${kind}`, spec, kind === 'patch' ? 'input pixels' : `${PROJECTION_SCALE}, per tile`)
            files.push({ ...written, epoch: e.epoch, channel: c.channel, kind })
          }
        }
      }
      if (values.json) {
        const numbers = {
          runId,
          layer: r.layer,
          split: r.split,
          images: r.images,
          patchShape: r.patchShape,
          field: r.field,
          epochs: r.epochs.map((e) => ({ epoch: e.epoch, channels: e.channels.map((c) => ({ channel: c.channel, top: c.top.map((t) => ({ index: t.index, label: t.label, labelName: r.classNames[t.label] ?? null, value: t.value, y: t.y, x: t.x })) })) })),
          files
        }
        io.out(JSON.stringify(numbers))
        return 0
      }
      io.out(`top ${r.epochs[0]?.channels[0]?.top.length ?? 0} of ${r.layer} over ${r.images} ${r.split} images; patches of ${ph}×${pw} px (receptive field ${r.field ?? 'unknown'} px)`)
      for (const e of r.epochs) {
        for (const c of e.channels) io.out(`epoch ${e.epoch} channel ${c.channel}: ${c.top.map((t) => `#${t.index} ${t.value.toPrecision(3)}`).join(', ')}`)
      }
      io.out(`${files.length} PNG files in ${out}`)
      return 0
    })
  }
}

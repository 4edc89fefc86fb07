import { ApiError } from '../../../src-shared/errors'
import { defaultInvarianceRange, InvarianceTransform } from '../../../src-shared/explain'
import { intOption, numberOption, parseCommandArgs } from '../args'
import type { Command } from '../command'
import { imageArgument } from '../imageArgument'
import { withTask } from '../task'

const usage = `Usage: featurelens invariance RUN --image I[,I2…] --transform translate|scale|rotate [options]

How a run's features and prediction change as images are moved (Zeiler & Fergus 2014, Fig. 5):
for each amount of vertical translation (pixels down), scale (factor) or rotation (degrees),
the Euclidean distance between the feature vectors of the original and the transformed image at
an early and a late layer, and P(true class). One curve per image, and the mean.

Options:
  --image I[,I2…]     example indices of --split, or image files (comma-separated)
  --split S           train, val, test or all (default test)
  --transform T       translate, scale or rotate (required)
  --from X --to Y     the range (default: ±a quarter of the image; 0.5 to 1.5; 0 to 360)
  --steps N           amounts in the range, ends included (default depends on the transform)
  --layers E,L        the early and late layer (default: first conv layer, last hidden layer)
  --epoch N           epoch of the run (default: the last)
  --json              print JSON
  --workspace DIR     workspace directory`

export const invarianceCommand: Command = {
  name: 'invariance',
  summary: 'feature distance and P(true class) as images are translated, scaled or rotated',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('invariance', args, {
      image: { type: 'string' },
      split: { type: 'string' },
      transform: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      steps: { type: 'string' },
      layers: { type: 'string' },
      epoch: { type: 'string' },
      json: { type: 'boolean' },
      workspace: { type: 'string' }
    })
    if (positionals.length !== 1) throw new ApiError('invalid_request', `invariance needs one run id, got ${positionals.length}; "featurelens runs list" shows them`)
    const parsed = InvarianceTransform.safeParse(values.transform)
    if (!parsed.success) throw new ApiError('invalid_request', `--transform must be one of ${InvarianceTransform.options.join(', ')}; got "${values.transform ?? ''}"`)
    const images = (values.image ?? '').split(',').filter(Boolean).map((v) => imageArgument(v, values.split))
    if (images.length === 0) imageArgument(undefined, values.split)
    const layers = values.layers?.split(',').map((l) => l.trim())
    if (layers && layers.length !== 2) throw new ApiError('invalid_request', `--layers takes two layers, early and late, e.g. c1,f6; got "${values.layers}"`)
    const runId = positionals[0]
    return withTask(values.workspace, io, async (api, taskId) => {
      const overview = await api.call('explain.overview', { runId })
      const range = defaultInvarianceRange(parsed.data, overview.input.height)
      const r = await api.call('explain.invariance', {
        runId,
        epoch: values.epoch === undefined ? overview.epochs[overview.epochs.length - 1] : intOption('epoch', values.epoch, 0, 0),
        images,
        transform: parsed.data,
        from: numberOption('from', values.from) ?? range.from,
        to: numberOption('to', values.to) ?? range.to,
        steps: values.steps === undefined ? range.steps : intOption('steps', values.steps, 0),
        ...(layers ? { layers: layers as [string, string] } : {}),
        taskId
      })
      if (values.json) {
        io.out(JSON.stringify(r))
        return 0
      }
      io.out(`${r.transform} (${r.unit}) of ${r.images.map((im) => `${im.source} [${im.labelName}${im.labelSource === 'prediction' ? ', predicted' : ''}]`).join(', ')}; run ${r.runId}, epoch ${r.epoch}`)
      io.out(`${'amount'.padStart(8)}  ${r.layers.map((l) => `dist ${l}`.padStart(18)).join('  ')}  ${'P(true class)'.padStart(14)}   (means over ${r.images.length} image${r.images.length === 1 ? '' : 's'})`)
      r.amounts.forEach((a, k) => {
        io.out(`${Number(a.toPrecision(4)).toString().padStart(8)}  ${r.meanDistance.map((d) => d[k].toPrecision(4).padStart(18)).join('  ')}  ${r.meanProbability[k].toFixed(4).padStart(14)}`)
      })
      return 0
    })
  }
}

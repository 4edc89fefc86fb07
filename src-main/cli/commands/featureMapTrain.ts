import { ApiError } from '../../../src-shared/errors'
import { intOption, numberOption, parseCommandArgs } from '../args'
import type { Command } from '../command'
import { withTask } from '../task'
import { oneRun } from './earlyExitCli'

const usage = `Usage: featurelens featuremap-train RUN --classes A,B --layer L [--epochs N] [--json]

Experiment 2 of seed 000: RUN's layers up to conv layer L, frozen, turn the training images of
classes A and B into feature maps; a new model of the same architecture from L on is trained on
them, and the same architecture is trained on the images. Both are tested on the two classes'
test images and kept as runs. Prints accuracy, loss and training time side by side.

Options:
  --classes A,B      two class indices of the run's dataset (e.g. 3,8 for MNIST digits)
  --layer L          a conv layer of the run (see "featurelens arch RUN")
  --epochs N         training epochs of both models (default 2)
  --batch N          batch size (default 32)
  --limit N          at most N training images of the two classes
  --epoch N          epoch of RUN whose layers are frozen (default: its last)
  --json             print the result as JSON
  --workspace DIR    workspace directory`

export const featureMapTrainCommand: Command = {
  name: 'featuremap-train',
  summary: 'train a model on feature maps and compare it with one trained on images',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('featuremap-train', args, {
      classes: { type: 'string' },
      layer: { type: 'string' },
      epochs: { type: 'string' },
      batch: { type: 'string' },
      limit: { type: 'string' },
      epoch: { type: 'string' },
      json: { type: 'boolean' },
      workspace: { type: 'string' }
    })
    const runId = oneRun('featuremap-train', positionals)
    const parts = (values.classes ?? '').split(',').map((s) => s.trim())
    if (parts.length !== 2 || parts.some((p) => !/^\d+$/.test(p))) throw new ApiError('invalid_request', `--classes needs two class indices like 3,8; got "${values.classes ?? ''}"`)
    if (!values.layer) throw new ApiError('invalid_request', '--layer is required: a conv layer of the run, e.g. c3')
    const limit = numberOption('limit', values.limit)
    const request = {
      runId,
      classes: [Number(parts[0]), Number(parts[1])] as [number, number],
      layer: values.layer,
      epochs: intOption('epochs', values.epochs, 2, 1),
      batchSize: intOption('batch', values.batch, 32, 1),
      ...(limit !== undefined ? { limit: intOption('limit', values.limit, 2, 2) } : {}),
      ...(values.epoch !== undefined ? { epoch: intOption('epoch', values.epoch, 0, 0) } : {})
    }
    const r = await withTask(values.workspace, io, (api, taskId) => api.call('earlyExit.featureMapTrain', { ...request, taskId }))
    if (values.json) {
      io.out(JSON.stringify(r))
      return 0
    }
    io.out(`${r.classes[0]} vs ${r.classes[1]}, ${r.layer} maps of shape [${r.mapShape.join(', ')}]; ${r.rows[0].trainImages} training and ${r.rows[0].testImages} test images`)
    io.out('TRAINED ON'.padEnd(14) + 'ACCURACY'.padEnd(10) + 'LOSS'.padEnd(9) + 'SECONDS'.padEnd(9) + 'RUN')
    for (const row of r.rows) io.out(row.kind.padEnd(14) + `${(row.accuracy * 100).toFixed(1)}%`.padEnd(10) + row.loss.toFixed(4).padEnd(9) + row.trainingSeconds.toFixed(1).padEnd(9) + row.runId)
    io.out(r.sentence)
    return 0
  }
}

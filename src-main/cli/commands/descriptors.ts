import { intOption, parseCommandArgs } from '../args'
import type { Command } from '../command'
import { withTask } from '../task'
import { listOption, oneRun } from './earlyExitCli'

const usage = `Usage: featurelens descriptors RUN [--epoch N] [--layers L1,L2] [--json]

Extracts the feature-map descriptors (per channel: mean and standard deviation of |F| over
the map) of the images RUN was trained on, for each conv layer, into the workspace. An
interrupted extraction (Ctrl-C) resumes where it stopped.

Options:
  --epoch N          epoch of the run (default: its last)
  --layers L1,L2     conv layers (default: every conv layer before the flatten)
  --batch N          images per forward pass (default 64)
  --json             print the result as JSON
  --workspace DIR    workspace directory`

export const descriptorsCommand: Command = {
  name: 'descriptors',
  summary: "cache the feature-map descriptors of a run's training images",
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('descriptors', args, {
      epoch: { type: 'string' },
      layers: { type: 'string' },
      batch: { type: 'string' },
      json: { type: 'boolean' },
      workspace: { type: 'string' }
    })
    const runId = oneRun('descriptors', positionals)
    const request = {
      runId,
      ...(values.epoch !== undefined ? { epoch: intOption('epoch', values.epoch, 0, 0) } : {}),
      ...(listOption(values.layers) ? { layers: listOption(values.layers) } : {}),
      batchSize: intOption('batch', values.batch, 64, 1)
    }
    const result = await withTask(values.workspace, io, (api, taskId) => api.call('earlyExit.descriptors', { ...request, taskId }))
    if (values.json) {
      io.out(JSON.stringify(result))
      return 0
    }
    io.out(`${result.runId} epoch ${result.epoch}: ${result.source}; ${result.extracted} extracted now, ${result.images - result.extracted} were already stored`)
    io.out('LAYER'.padEnd(20) + 'DESCRIPTORS'.padEnd(13) + 'LENGTH')
    for (const l of result.layers) io.out(l.layer.padEnd(20) + String(l.count).padEnd(13) + String(l.dim))
    return 0
  }
}

import { randomBytes } from 'node:crypto'
import type { TaskProgress } from '../../../src-shared/api/tasks'
import { CkaEstimator } from '../../../src-shared/compare'
import { SplitName } from '../../../src-shared/dataset'
import { ApiError } from '../../../src-shared/errors'
import { openApi } from '../../api/openApi'
import { intOption, parseCommandArgs } from '../args'
import type { Command } from '../command'
import { ckaJson, ckaText, epochsText } from './compareReport'

const usage = `Usage: featurelens compare RUN_A RUN_B [options]

Compares two runs of the same dataset (e.g. a pair from "featurelens train --pair Smiling,Male")
by linear CKA (Kornblith et al. 2019) of their layers' activations on the same examples.
Prints the per-layer summary (each layer of A against the same layer of B) and the
layer × layer CKA matrix. Results are cached in the workspace.

Options:
  --epoch N          epoch of both runs (default: the last epoch both have)
  --examples N       number of examples (default 256; the whole split if it is smaller)
  --split S          train, val, test or all (default: test, else val)
  --seed N           seed of the example draw (default 0)
  --estimator E      auto (default), full (exact) or minibatch (unbiased HSIC, Nguyen et al. 2021)
  --batch N          minibatch size for the minibatch estimator (default 256)
  --layers L1,L2     only these layers (default: every conv, pooling, dense and add layer)
  --across-epochs    also print per-layer CKA across epochs (against each run's last epoch, and A vs B)
  --json             print the result as JSON
  --workspace DIR    workspace directory`

function parseChoice<T extends string>(flag: string, value: string | undefined, schema: { safeParse(v: unknown): { success: boolean; data?: T } }, options: readonly string[]): T | undefined {
  if (value === undefined) return undefined
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new ApiError('invalid_request', `--${flag} must be one of ${options.join(', ')}; got "${value}"`)
  return parsed.data
}

export const compareCommand: Command = {
  name: 'compare',
  summary: 'compare two runs layer by layer with linear CKA',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('compare', args, {
      epoch: { type: 'string' },
      examples: { type: 'string' },
      split: { type: 'string' },
      seed: { type: 'string' },
      estimator: { type: 'string' },
      batch: { type: 'string' },
      layers: { type: 'string' },
      'across-epochs': { type: 'boolean' },
      json: { type: 'boolean' },
      workspace: { type: 'string' }
    })
    if (positionals.length !== 2) {
      throw new ApiError('invalid_request', `compare needs two run ids, RUN_A and RUN_B, got ${positionals.length}; "featurelens runs list" shows them`)
    }
    const [a, b] = positionals
    const epoch = values.epoch === undefined ? undefined : intOption('epoch', values.epoch, 0, 0)
    const examples = {
      count: intOption('examples', values.examples, 256, 4),
      seed: intOption('seed', values.seed, 0, 0),
      split: parseChoice('split', values.split, SplitName, SplitName.options)
    }
    const estimator = parseChoice('estimator', values.estimator, CkaEstimator, CkaEstimator.options) ?? 'auto'
    const batchSize = intOption('batch', values.batch, 256, 8)
    const layers = values.layers?.split(',').map((s) => s.trim()).filter(Boolean)

    const api = openApi({ workspace: values.workspace, shell: 'web' })
    const taskId = `cli-${randomBytes(4).toString('hex')}`
    // Progress goes to stderr, only on a terminal, so stdout stays the result alone.
    let lastLine = 0
    const unsubscribe = api.context.events.subscribe((name, payload) => {
      const p = payload as TaskProgress
      if (name !== 'task.progress' || !p.taskId.startsWith(taskId) || !process.stderr.isTTY) return
      if (Date.now() - lastLine < 1000) return
      lastLine = Date.now()
      const percent = p.total > 0 ? Math.round((100 * p.done) / p.total) : 0
      io.err(`${percent}%  ${p.stage ?? p.task}${p.etaSeconds !== null ? ` · ETA ${Math.round(p.etaSeconds)} s` : ''}`)
    })
    const onSignal = (): void => {
      void api.call('task.cancel', { taskId })
      void api.call('task.cancel', { taskId: `${taskId}-epochs` })
    }
    process.once('SIGINT', onSignal)
    try {
      const overview = await api.call('compare.overview', { a, b })
      if (overview.problem) throw new ApiError('bad_input', overview.problem)
      const common = { a, b, examples, estimator, batchSize, ...(layers ? { layers } : {}) }
      const cka = await api.call('compare.cka', { ...common, epoch, taskId })
      const epochs = values['across-epochs'] ? await api.call('compare.ckaEpochs', { ...common, taskId: `${taskId}-epochs` }) : null
      if (values.json) {
        io.out(JSON.stringify(ckaJson(cka, epochs)))
        return 0
      }
      ckaText(overview, cka).forEach((line) => io.out(line))
      if (epochs) ['', ...epochsText(epochs)].forEach((line) => io.out(line))
      return 0
    } finally {
      process.off('SIGINT', onSignal)
      unsubscribe()
      api.close()
    }
  }
}

import { ApiError } from '../../../src-shared/errors'
import { TrainConfig, type EpochMetrics, type RunSummary } from '../../../src-shared/run'
import { openApi, type OpenApi } from '../../api/openApi'
import { getRun } from '../../engine/store/runStore'
import { parseCommandArgs } from '../args'
import type { Command, CommandIO } from '../command'

const usage = `Usage: featurelens train --dataset PATH|mnist --model NAME [options]

Trains a model in a separate process; every epoch's weights are stored in the workspace.

  --dataset PATH     dataset folder, or "mnist" for the bundled MNIST
  --model NAME       minimal, lenet5, fcnn3, vgg11, vgg16, vgg19, resnet18, resnet50, import
  --import DIR       folder with a TF.js model.json (with --model import); a new head is trained
  --freeze-base      with --import or --from-run: train only the new head
  --from-run RUN     fine-tune a stored run (e.g. one made by "featurelens model open") from its
                     last epoch; a new head is trained unless --keep-head
  --keep-head        with --from-run: keep the model's own head and classes (as many as the dataset's)
  --width W          width multiplier (e.g. 0.25 for a narrow VGG)
  --batch-norm       VGG only: batch normalisation after each conv (trains a narrow VGG much faster)
  --input N          resize images to N×N pixels
  --label L          "class" (default) or an attribute name such as Smiling
  --pair A,B         train twice, once per attribute label, linked as a pair
  --epochs N         (default 5)
  --batch-size N     (default 64)
  --optimizer O      adam (default) or sgd (with --momentum, default 0.9)
  --lr X             learning rate (default 0.001)
  --loss L           auto, categoricalCrossentropy, binaryCrossentropy, meanSquaredError
  --limit N          train on at most N images
  --fraction F       use this fraction of each class, e.g. 0.5 for half of each class
  --val F            fraction held out for validation (default 0.1)
  --seed N           fixes initial weights and shuffling (default 42)
  --backend B        tensorflow-gpu, webgpu, tensorflow, wasm or cpu
  --name TEXT        a name for the run
  --workspace DIR    workspace directory
  --json             print JSON lines of progress and a final JSON summary`

function num(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isFinite(n)) throw new ApiError('invalid_request', `--${name} must be a number, got "${value}"`)
  return n
}

const FLAG_OF: Record<string, string> = { batchSize: 'batch-size', learningRate: 'lr', fractionPerClass: 'fraction', validationSplit: 'val', 'model.widthMultiplier': 'width', 'model.inputSize': 'input', 'model.importPath': 'import', 'model.batchNorm': 'batch-norm', 'model.fromRun': 'from-run', 'model.keepHead': 'keep-head' }

function configFromFlags(values: Record<string, string | boolean | undefined>): TrainConfig {
  const str = (k: string) => values[k] as string | undefined
  if (!str('dataset')) throw new ApiError('invalid_request', '--dataset is required (a folder, or "mnist")')
  if (!str('model') && !str('from-run')) throw new ApiError('invalid_request', '--model is required (e.g. lenet5), or --from-run RUN to fine-tune a run such as an opened model')
  const label = str('label') ?? 'class'
  const raw = {
    name: str('name'),
    dataset: str('dataset'),
    label: label === 'class' ? { kind: 'class' } : { kind: 'attribute', attribute: label },
    model: {
      name: str('model') ?? 'import',
      widthMultiplier: num('width', str('width')),
      inputSize: num('input', str('input')),
      importPath: str('import'),
      fromRun: str('from-run'),
      keepHead: values['keep-head'] === true ? true : undefined,
      freezeBase: values['freeze-base'] === true ? true : undefined,
      batchNorm: values['batch-norm'] === true ? true : undefined
    },
    optimizer: str('optimizer'),
    learningRate: num('lr', str('lr')),
    momentum: num('momentum', str('momentum')),
    loss: str('loss'),
    batchSize: num('batch-size', str('batch-size')),
    epochs: num('epochs', str('epochs')),
    limit: num('limit', str('limit')),
    fractionPerClass: num('fraction', str('fraction')),
    validationSplit: num('val', str('val')),
    seed: num('seed', str('seed')),
    backend: str('backend')
  }
  const parsed = TrainConfig.safeParse(JSON.parse(JSON.stringify(raw)))
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const field = issue.path.join('.')
    const flag = FLAG_OF[field] ?? field.replace(/^model\./, '')
    throw new ApiError('invalid_request', `--${flag}: ${issue.message}`)
  }
  return parsed.data
}

function formatMetric(value: number | null, digits = 4): string {
  return value === null ? '–' : value.toFixed(digits)
}

/** Follows runs until each reaches a final status, printing progress as it arrives. */
async function follow(api: OpenApi, runIds: string[], io: CommandIO, json: boolean): Promise<RunSummary[]> {
  const open = new Set(runIds)
  let lastLine = 0
  return new Promise<RunSummary[]>((resolve) => {
    const unsubscribe = api.context.events.subscribe((name, payload) => {
      const event = payload as { runId: string }
      if (!open.has(event.runId)) return
      if (json) io.out(JSON.stringify({ event: name, ...(payload as object) }))
      if (name === 'runs.progress' && !json) {
        const p = payload as { phase: string; epoch: number; epochs: number; batch: number; batches: number; loss: number | null; imagesPerSecond: number | null; etaSeconds: number | null }
        const now = Date.now()
        if (p.phase === 'training' && now - lastLine > 5000) {
          lastLine = now
          io.err(`${event.runId} epoch ${p.epoch}/${p.epochs} batch ${p.batch}/${p.batches} loss ${formatMetric(p.loss)} · ${Math.round(p.imagesPerSecond ?? 0)} img/s · ETA ${Math.round(p.etaSeconds ?? 0)} s`)
        }
      }
      if (name === 'runs.epoch' && !json) {
        const m = (payload as { metrics: EpochMetrics }).metrics
        io.out(`${event.runId} epoch ${m.epoch}: train loss ${formatMetric(m.trainLoss)} acc ${formatMetric(m.trainAccuracy)} · val loss ${formatMetric(m.valLoss)} acc ${formatMetric(m.valAccuracy)} · test acc ${formatMetric(m.testAccuracy)}${m.imagesPerSecond ? ` · ${Math.round(m.imagesPerSecond)} img/s` : ''}`)
      }
      if (name === 'runs.status') {
        const s = payload as { status: string; reason: string | null }
        if (!json) io.err(`${event.runId}: ${s.status}${s.reason ? ` (${s.reason})` : ''}`)
        if (['completed', 'cancelled', 'failed', 'interrupted'].includes(s.status)) {
          open.delete(event.runId)
          if (open.size === 0) {
            unsubscribe()
            void api.context.jobs.whenIdle().then(() => resolve(runIds.map((id) => getRun(api.context.db, id))))
          }
        }
      }
    })
  })
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a model on a dataset; every epoch is stored in the workspace',
  usage,
  async run(args, io) {
    const { values } = parseCommandArgs('train', args, {
      dataset: { type: 'string' }, model: { type: 'string' }, import: { type: 'string' }, 'freeze-base': { type: 'boolean' }, 'from-run': { type: 'string' }, 'keep-head': { type: 'boolean' }, 'batch-norm': { type: 'boolean' },
      width: { type: 'string' }, input: { type: 'string' }, label: { type: 'string' }, pair: { type: 'string' },
      epochs: { type: 'string' }, 'batch-size': { type: 'string' }, optimizer: { type: 'string' }, momentum: { type: 'string' },
      lr: { type: 'string' }, loss: { type: 'string' }, limit: { type: 'string' }, fraction: { type: 'string' }, val: { type: 'string' },
      seed: { type: 'string' }, backend: { type: 'string' }, name: { type: 'string' }, workspace: { type: 'string' }, json: { type: 'boolean' }
    }, false)
    const config = configFromFlags(values)
    const api = openApi({ workspace: values.workspace, shell: 'web' })
    try {
      let ids: string[]
      if (values.pair) {
        const attributes = values.pair.split(',').map((s) => s.trim())
        if (attributes.length !== 2) throw new ApiError('invalid_request', `--pair takes two attribute names separated by a comma, e.g. Smiling,Male; got "${values.pair}"`)
        const pair = await api.call('runs.startPair', { config, attributes: [attributes[0], attributes[1]] }).catch(rethrowValidation('runs.startPair'))
        ids = pair.runs.map((r) => r.id)
      } else {
        const run = await api.call('runs.start', { config }).catch(rethrowValidation('runs.start'))
        ids = [run.id]
      }
      if (!values.json) io.err(`training ${ids.join(' and ')} in workspace ${api.context.workspace.dir} (Ctrl-C cancels; completed epochs are kept)`)
      const onSignal = (): void => ids.forEach((id) => { try { api.context.jobs.cancel(id) } catch { /* already finished */ } })
      process.once('SIGINT', onSignal)
      process.once('SIGTERM', onSignal)
      const runs = await follow(api, ids, io, values.json === true)
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      if (values.json) io.out(JSON.stringify({ summary: runs }))
      else for (const run of runs) io.out(`${run.id}: ${run.status} after ${run.epochsCompleted} epochs${run.lastMetrics?.testAccuracy != null ? `, test accuracy ${(run.lastMetrics.testAccuracy * 100).toFixed(2)}%` : ''}`)
      return runs.every((r) => r.status === 'completed') ? 0 : 1
    } finally {
      api.close()
    }
  }
}

function rethrowValidation(method: string) {
  return (err: unknown): never => {
    if (err instanceof ApiError) throw err
    throw new ApiError('invalid_request', `${method}: ${(err as Error).message}`)
  }
}

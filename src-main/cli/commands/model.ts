import { ApiError } from '../../../src-shared/errors'
import { modelFileKindNames, type Preprocess } from '../../../src-shared/model'
import type { RunSummary } from '../../../src-shared/run'
import { openApi } from '../../api/openApi'
import { intOption, parseCommandArgs } from '../args'
import type { Command } from '../command'

const usage = `Usage: featurelens model open PATH [--name N] [--labels FILE] [--input-size S] [--preprocess P] [--dataset DIR] [--workspace DIR] [--json]

Opens a trained model as it is, as a model run: epoch 0 holds the model's own weights and head.
Inspect, predict and fine-tune it like any run.

  PATH              the model: ${Object.values(modelFileKindNames).join(',\n                    ')}
  --name N          the run's name (default: the file's name)
  --labels FILE     class names, one per line or JSON; otherwise metadata.json beside a TF.js
                    model, the ONNX file's "classes" metadata, else numbered
  --input-size S    the side in pixels, for a model that leaves its input size open
  --preprocess P    how 0..1 images become the model's input: [0,1], [-1,1], [0,255], torch
                    (ImageNet mean/std) or caffe (BGR minus the mean), optionally ",bgr".
                    Default: torch for ONNX, [-1,1] for Teachable Machine, else [0,1]
  --dataset DIR     a dataset folder whose images the views use (optional)`

function describe(run: RunSummary, describePreprocess: (p: Preprocess) => string): string[] {
  const s = run.config.source
  if (!s) return [run.id]
  return [
    `${run.id}  ${run.name}`,
    `format: ${s.format}${s.producer ? ` (${s.producer})` : ''}  input: ${s.input.height}×${s.input.width}×${s.input.channels}  output: ${s.classNames.length} classes (${s.outputs})`,
    `classes from ${s.classNamesFrom}: ${s.classNames.slice(0, 8).join(', ')}${s.classNames.length > 8 ? ', …' : ''}`,
    `preprocessing: ${describePreprocess(s.preprocess)}`
  ]
}

export const modelCommand: Command = {
  name: 'model',
  summary: 'open a trained model (TF.js, ONNX or Keras) as it is, as a model run',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('model', args, {
      name: { type: 'string' },
      labels: { type: 'string' },
      'input-size': { type: 'string' },
      preprocess: { type: 'string' },
      dataset: { type: 'string' },
      workspace: { type: 'string' },
      json: { type: 'boolean' }
    })
    const [action, path, ...extra] = positionals
    if (action !== 'open') throw new ApiError('invalid_request', `model needs "open PATH"; got "${action ?? ''}". Run "featurelens model --help"`)
    if (!path) throw new ApiError('invalid_request', 'model open needs the path of a model folder or file')
    if (extra.length) throw new ApiError('invalid_request', `model open takes one path; got also ${extra.join(' ')}`)
    const { describePreprocess, parsePreprocess } = await import('../../engine/models/preprocess')
    const api = openApi({ workspace: values.workspace, shell: 'web' })
    try {
      const run = await api.call('models.open', {
        path,
        name: values.name,
        labels: values.labels,
        inputSize: values['input-size'] === undefined ? undefined : intOption('input-size', values['input-size'], 0, 1),
        preprocess: values.preprocess === undefined ? undefined : parsePreprocess(values.preprocess),
        dataset: values.dataset
      })
      if (values.json) io.out(JSON.stringify(run))
      else for (const line of describe(run, describePreprocess)) io.out(line)
      return 0
    } finally {
      api.close()
    }
  }
}

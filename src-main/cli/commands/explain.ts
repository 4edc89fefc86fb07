import { resolve } from 'node:path'
import { ApiError } from '../../../src-shared/errors'
import type { GradientsResponse, OcclusionResponse, ProjectResponse } from '../../../src-shared/explain'
import { AttributionMethod, attributionInfo, PointingMethod } from '../../../src-shared/explain'
import { attributionHeatmap, attributionImage, occlusionHeatmaps, occlusionLabelFigure, PROJECTION_SCALE } from '../../../src-shared/figures/explainFigures'
import type { OpenApi } from '../../api/openApi'
import { intOption, numberOption, parseCommandArgs } from '../args'
import type { Command, CommandIO } from '../command'
import { imageArgument, splitArgument } from '../imageArgument'
import { withTask } from '../task'
import { writeFigurePng, type WrittenMap } from '../figurePng'
import { pointingText } from './pointingText'

// The contract's method names; "deconv" is the short name the command has always taken for the deconvnet.
const aliases: Record<string, AttributionMethod> = { deconv: 'deconvnet' }
const methodNames = [...AttributionMethod.options, ...Object.keys(aliases)]

const usage = `Usage: featurelens explain RUN --image PATH|INDEX --method M [options]
       featurelens explain RUN --pointing [options]

Explains one prediction of a run (Zeiler & Fergus 2014) and writes each map as a PNG, with the
numbers as JSON. --pointing instead prints the pointing figures of a synthetic-faces run: the
share of each map's positive mass inside each attribute's evidence region, next to the region's
share of the image, as mean ± standard deviation over a sample of images; each region's lift
(share of mass ÷ share of area) with its 95 % bootstrap interval; a verdict per method on whether
the model looks at its own attribute's region; and, for a run of a pair (or with --with RUN), the
same figures of the other run on the same images, their differences and verdicts.

Methods:
  occlusion   a grey square slides over the image: (a) total activation of the layer's strongest
              map, (b) P(true class), (c) most probable label, per position of the square
  gradcam     Grad-CAM at a conv layer for the true class
  saliency    |∂ class score / ∂ pixel|, max over colour channels
  deconvnet   the strongest unit of --layer (or of --channel) projected to pixels by a deconvnet
              (also "deconv")
  guided      the same unit projected by guided backpropagation

Options:
  --image PATH|INDEX  a PNG/JPEG file, or the index of an example of --split (default test)
  --split S           train, val, test or all
  --epoch N           epoch of the run (default: the last)
  --layer L           layer for occlusion map (a), Grad-CAM or the projections
  --channel C         channel of --layer to project (default: the strongest)
  --class K           class to explain (default: the true label, or the prediction)
  --patch N --stride N --fill X|mean   occlusion square (defaults depend on the input size)
  --count N           images for --pointing (default 24)
  --with RUN|none     run to compare with for --pointing (default: the other run of the pair)
  --out DIR           folder for the PNG files (default: explain-RUN)
  --json              print JSON
  --workspace DIR     workspace directory`

/** The method asked for, and the name its PNG is written under (the name given). */
function methodArgument(value: string | undefined): { method: AttributionMethod; name: string } {
  if (value === undefined) throw new ApiError('invalid_request', `--method is required: one of ${methodNames.join(', ')}`)
  const parsed = AttributionMethod.safeParse(aliases[value] ?? value)
  if (!parsed.success) throw new ApiError('invalid_request', `--method must be one of ${methodNames.join(', ')}; got "${value}"`)
  return { method: parsed.data, name: value }
}

/** The answer for a method: the request that computes it (occlusion, Grad-CAM with saliency, or the two projections) and its response. */
type Answer = { kind: 'occlusion'; r: OcclusionResponse } | { kind: 'gradients'; r: GradientsResponse } | { kind: 'project'; r: ProjectResponse }

async function writeMaps(method: AttributionMethod, name: string, answer: Answer, out: string): Promise<{ maps: WrittenMap[]; extra: Record<string, unknown> }> {
  if (answer.kind === 'occlusion') {
    const heat = occlusionHeatmaps(answer.r)
    const labels = occlusionLabelFigure(answer.r)
    const maps = [await writeFigurePng(out, 'occlusion-activation', heat.activation), await writeFigurePng(out, 'occlusion-probability', heat.probability), await writeFigurePng(out, 'occlusion-label', labels.figure, 'categorical (legend)')]
    return { maps, extra: { legend: labels.legend } }
  }
  if (answer.kind === 'gradients') {
    const { gradcam, saliency } = answer.r
    const cam = method === 'gradcam'
    const spec = attributionHeatmap(method, cam ? gradcam.upsampled : saliency, answer.r.input, cam ? gradcam.layer : undefined)
    return { maps: [await writeFigurePng(out, name, spec)], extra: cam ? { layer: gradcam.layer, mapHeight: gradcam.mapHeight, mapWidth: gradcam.mapWidth } : {} }
  }
  const r = answer.r
  const spec = attributionImage(method, method === 'deconvnet' ? r.deconvnet : r.guided, r.input)
  return { maps: [await writeFigurePng(out, name, spec, PROJECTION_SCALE)], extra: { layer: r.layer, unit: r.unit } }
}

function summary(result: OcclusionResponse | GradientsResponse | ProjectResponse): Record<string, unknown> {
  const base = { runId: result.runId, epoch: result.epoch, image: result.input.source, label: result.input.labelName }
  if ('class' in result) return { ...base, class: result.class, className: result.classNames[result.class] ?? String(result.class), classSource: result.classSource }
  return base
}

async function explainOne(api: OpenApi, taskId: string, runId: string, chosen: { method: AttributionMethod; name: string }, values: Record<string, string | boolean | undefined>, io: CommandIO): Promise<number> {
  const { method, name } = chosen
  const image = imageArgument(values.image as string | undefined, values.split as string | undefined)
  // Without --epoch the handlers take the run's last stored epoch.
  const common = { runId, epoch: values.epoch === undefined ? undefined : intOption('epoch', values.epoch as string, 0, 0), image }
  const layer = values.layer as string | undefined
  const cls = values.class === undefined ? undefined : intOption('class', values.class as string, 0, 0)
  let answer: Answer
  if (method === 'occlusion') {
    const fill = values.fill === undefined ? undefined : values.fill === 'mean' ? ('mean' as const) : numberOption('fill', values.fill as string)
    const patch = values.patch === undefined ? undefined : intOption('patch', values.patch as string, 0)
    const stride = values.stride === undefined ? undefined : intOption('stride', values.stride as string, 0)
    answer = { kind: 'occlusion', r: await api.call('explain.occlusion', { ...common, patch, stride, fill, layer, class: cls, taskId }) }
  } else if (attributionInfo[method].explains === 'class') {
    answer = { kind: 'gradients', r: await api.call('explain.gradients', { ...common, layer, class: cls }) }
  } else {
    if (!layer) throw new ApiError('invalid_request', `--layer is required for --method ${name}: the layer whose unit is projected to pixels`)
    const channel = values.channel === undefined ? undefined : intOption('channel', values.channel as string, 0)
    answer = { kind: 'project', r: await api.call('explain.project', { ...common, layer, channel }) }
  }
  const result = answer.r
  const out = resolve((values.out as string | undefined) ?? `explain-${runId}`)
  const { maps, extra } = await writeMaps(method, name, answer, out)
  const numbers: Record<string, unknown> = { method: name, ...summary(result), ...extra, maps }
  if (answer.kind === 'occlusion') {
    const r = answer.r
    Object.assign(numbers, { patch: r.patch, stride: r.stride, fill: r.fill, layer: r.layer, channel: r.channel, tops: r.tops, lefts: r.lefts, unoccluded: { ...r.unoccluded, probabilities: Array.from(r.unoccluded.probabilities) }, activation: Array.from(r.activation), probability: Array.from(r.probability), labels: Array.from(r.label) })
  }
  if (values.json) {
    io.out(JSON.stringify(numbers))
    return 0
  }
  io.out(`${name} of ${result.input.source} (run ${runId}, epoch ${result.epoch})${'class' in result ? `, explaining class ${result.classNames[result.class] ?? result.class} (${result.classSource})` : ''}`)
  if (answer.kind === 'occlusion') {
    const r = answer.r
    io.out(`square ${r.patch} px, stride ${r.stride}, fill ${r.fill.map((v) => v.toFixed(2)).join('/')}; ${r.tops.length}×${r.lefts.length} positions; map (a) is ${r.layer} channel ${r.channel}; unoccluded P = ${r.unoccluded.probability.toFixed(4)}, lowest P = ${Math.min(...r.probability).toFixed(4)}`)
  }
  for (const m of maps) io.out(`${m.file}  (${m.width}×${m.height}, ${m.colormap}${m.min !== null ? ` from ${m.min.toPrecision(3)} to ${m.max!.toPrecision(3)}` : ''})`)
  return 0
}

export const explainCommand: Command = {
  name: 'explain',
  summary: 'explain a prediction: occlusion, Grad-CAM, saliency, deconvnet and guided backprop maps as PNG; pointing figures',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('explain', args, {
      image: { type: 'string' },
      method: { type: 'string' },
      split: { type: 'string' },
      epoch: { type: 'string' },
      layer: { type: 'string' },
      channel: { type: 'string' },
      class: { type: 'string' },
      patch: { type: 'string' },
      stride: { type: 'string' },
      fill: { type: 'string' },
      count: { type: 'string' },
      pointing: { type: 'boolean' },
      with: { type: 'string' },
      methods: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      workspace: { type: 'string' }
    })
    if (positionals.length !== 1) throw new ApiError('invalid_request', `explain needs one run id, got ${positionals.length}; "featurelens runs list" shows them`)
    const runId = positionals[0]
    return withTask(values.workspace, io, async (api, taskId) => {
      if (values.pointing) {
        const chosen = values.methods?.split(',').map((m) => {
          const parsed = PointingMethod.safeParse(m.trim())
          if (!parsed.success) throw new ApiError('invalid_request', `--methods: "${m}" is not one of ${PointingMethod.options.join(', ')}`)
          return parsed.data
        })
        const r = await api.call('explain.pointing', {
          runId,
          epoch: values.epoch === undefined ? undefined : intOption('epoch', values.epoch, 0, 0),
          split: splitArgument(values.split),
          count: intOption('count', values.count, 24, 1),
          layer: values.layer,
          patch: values.patch === undefined ? undefined : intOption('patch', values.patch, 0),
          stride: values.stride === undefined ? undefined : intOption('stride', values.stride, 0),
          ...(chosen ? { methods: chosen } : {}),
          ...(values.with === undefined ? {} : { with: values.with === 'none' ? null : values.with }),
          taskId
        })
        if (values.json) io.out(JSON.stringify(r))
        else pointingText(r).forEach((line) => io.out(line))
        return 0
      }
      return explainOne(api, taskId, runId, methodArgument(values.method), values, io)
    })
  }
}

import { ApiError } from '../../../src-shared/errors'
import type { ArchitectureRow, ArchitectureTable, AxisPair } from '../../../src-shared/architecture'
import { catalogEntry, modelNames, ModelSpec, type BuiltinModelName } from '../../../src-shared/model'
import { architectureTable } from '../../engine/analysis/receptiveField/receptiveField'
import { minimumInputSize } from '../../engine/train/modelFit'
import { isBuiltinModel, planModel } from '../../engine/models/architectures/registry'
import { intOption, parseCommandArgs } from '../args'
import type { Command } from '../command'
import { looksLikeRunId, runArchitectureTable } from './archOfRun'

const usage = `Usage: featurelens arch MODEL [--input N] [--width W] [--channels C] [--classes K] [--json]
       featurelens arch RUN_ID [--workspace DIR] [--json]

The architecture table: per layer its kernel, stride, padding and dilation, output shape,
parameters, multiply-accumulates (MACs), and receptive field in input pixels: its size, its
jump (effective stride) and the centre of the first field (start, 0 = centre of pixel 0).
Branches merge by the union of their fields, so residual networks show the largest field.

MODEL is one of ${modelNames.filter((n) => n !== 'import').join(', ')},
or a folder holding a TF.js Layers model.json (or the model.json itself).
RUN_ID is a training run in the workspace ("featurelens runs list" shows them).

Options:
  --input N     square input side in pixels (default: the model's own, 28 for the MNIST
                models, 224 for VGG and ResNet; required for an imported model of any size)
  --width W     width multiplier of a built-in model (default 1, e.g. 0.25)
  --channels C  input channels of a built-in model (default 1 for MNIST models, 3 otherwise)
  --classes K   outputs of the classifier (default 10 or 1000)
  --workspace DIR  workspace of RUN_ID (default: FEATURELENS_WORKSPACE, else the user's)
  --json        print the table as JSON`

function numberOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const parsed = Number(value)
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed <= 0) {
    throw new ApiError('invalid_request', `--${name} must be a positive number, got "${value}"`)
  }
  return parsed
}

function builtinTable(name: BuiltinModelName, values: Record<string, string | boolean | undefined>): ArchitectureTable {
  const entry = catalogEntry(name)
  const size = intOption('input', values.input as string | undefined, entry.defaultInput.height, 1)
  const channels = intOption('channels', values.channels as string | undefined, entry.defaultInput.channels, 1)
  const classes = intOption('classes', values.classes as string | undefined, entry.defaultClasses, 1)
  const widthMultiplier = numberOption('width', values.width as string | undefined, 1)
  const spec = ModelSpec.safeParse({ name, widthMultiplier, inputSize: size })
  if (!spec.success) {
    const issue = spec.error.issues[0]
    const flag = { widthMultiplier: '--width', inputSize: '--input' }[String(issue.path[0])] ?? String(issue.path[0])
    throw new ApiError('invalid_request', `${flag}: ${issue.message}`)
  }
  const input = { height: size, width: size, channels }
  try {
    return architectureTable(planModel({ name, widthMultiplier }, input, classes, 'softmax'))
  } catch (err) {
    if (!(err instanceof ApiError)) throw err
    const min = minimumInputSize({ name, widthMultiplier }, channels)
    throw new ApiError('bad_input', `--input: ${entry.label} needs at least ${min} px, got ${size} (${err.message})`)
  }
}

async function importedTable(path: string, values: Record<string, string | boolean | undefined>): Promise<ArchitectureTable> {
  for (const flag of ['width', 'channels', 'classes'] as const) {
    if (values[flag] !== undefined) throw new ApiError('invalid_request', `--${flag} applies to built-in models only; an imported model keeps its own`)
  }
  // tfjs takes over a second to load, so only the import path pays for it.
  const { initBackend } = await import('../../engine/backend/select')
  const { loadModelFromDisk } = await import('../../engine/models/formats/tfjs/tfjsLayers')
  const { architectureTableFromModel } = await import('../../engine/analysis/receptiveField/receptiveFieldOfModel')
  await initBackend()
  const model = await loadModelFromDisk(path)
  try {
    const [, h, w] = model.inputs[0].shape
    const size = values.input === undefined ? undefined : intOption('input', values.input as string, 0, 1)
    if (size !== undefined && h !== null && w !== null && (size !== h || size !== w)) {
      throw new ApiError('invalid_request', `--input: the model at ${path} is fixed at ${h}×${w} px; leave --input out`)
    }
    return architectureTableFromModel(model, size === undefined ? {} : { input: { height: size, width: size } })
  } finally {
    model.dispose()
  }
}

const pairText = (p: AxisPair | null) => (p === null ? '' : p[0] === p[1] ? String(p[0]) : `${p[0]}x${p[1]}`)
const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1))

function paddingText(row: ArchitectureRow): string {
  const p = row.padding
  if (!p) return ''
  const axis = (a: number, b: number) => (a === b ? String(a) : `${a}/${b}`)
  const [h, w] = [axis(p.top, p.bottom), axis(p.left, p.right)]
  const amounts = h === w ? h : `${h},${w}`
  return p.mode === 'explicit' ? amounts : `${p.mode} ${amounts}`
}

function macsText(n: number): string {
  if (n === 0) return ''
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`
  return String(n)
}

function fieldCells(row: ArchitectureRow): string[] {
  if (row.fieldKind !== 'spatial' || !row.receptiveField) return [row.fieldKind === 'global' ? 'all' : '?', '', '']
  const { height: h, width: w } = row.receptiveField
  const both = (a: number, b: number) => (a === b ? num(a) : `${num(a)}x${num(b)}`)
  return [both(h.size, w.size), both(h.jump, w.jump), both(h.start, w.start)]
}

/** An aligned text table: numbers right-aligned, names left-aligned. */
export function formatArchitectureTable(table: ArchitectureTable): string[] {
  const header = ['#', 'layer', 'type', 'kernel', 'stride', 'pad', 'dil', 'output', 'params', 'MACs', 'RF', 'jump', 'start']
  const leftAligned = new Set([1, 2, 5])
  const cells = table.rows.map((r) => [
    String(r.index),
    r.name,
    r.type,
    r.kernel ? `${r.kernel[0]}x${r.kernel[1]}` : '',
    pairText(r.stride),
    paddingText(r),
    r.dilation && (r.dilation[0] > 1 || r.dilation[1] > 1) ? pairText(r.dilation) : '',
    r.outputShape.join('x'),
    r.params === 0 ? '' : r.params.toLocaleString('en-US'),
    macsText(r.flops),
    ...fieldCells(r)
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)))
  const line = (c: string[]) => c.map((v, i) => (leftAligned.has(i) ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ').trimEnd()
  const { input, totals } = table
  const notes = table.rows.filter((r) => r.note).map((r) => `  ${r.name}: ${r.note}`)
  return [
    `${table.model}: input ${input.height}x${input.width}x${input.channels}, ${totals.params.toLocaleString('en-US')} parameters (${totals.trainableParams.toLocaleString('en-US')} trainable), ${macsText(totals.flops) || '0'} MACs per image`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
    ...(notes.length > 0 ? ['', 'Notes:', ...notes] : []),
    '',
    'RF, jump and start are in input pixels; start is the centre of the first field (0 = centre of pixel 0); "all" = the whole input.'
  ]
}

export const archCommand: Command = {
  name: 'arch',
  summary: 'architecture table with output shapes, parameters, MACs and receptive fields',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('arch', args, {
      input: { type: 'string' },
      width: { type: 'string' },
      channels: { type: 'string' },
      classes: { type: 'string' },
      workspace: { type: 'string' },
      json: { type: 'boolean' }
    })
    if (positionals.length !== 1) {
      throw new ApiError('invalid_request', `give exactly one MODEL (a name such as vgg16, or a model.json folder). Run "featurelens arch --help" for usage.`)
    }
    const model = positionals[0]
    if (looksLikeRunId(model) || (values.workspace !== undefined && !isBuiltinModel(model))) {
      const table = await runArchitectureTable(model, values)
      if (values.json) io.out(JSON.stringify(table))
      else for (const line of formatArchitectureTable(table)) io.out(line)
      return 0
    }
    const looksLikePath = /[/\\.]/.test(model)
    if (!isBuiltinModel(model) && !looksLikePath) {
      throw new ApiError('invalid_request', `unknown model "${model}"; use one of ${modelNames.filter((n) => n !== 'import').join(', ')}, or a path to a model.json folder`)
    }
    const table = isBuiltinModel(model) ? builtinTable(model, values) : await importedTable(model, values)
    if (values.json) io.out(JSON.stringify(table))
    else for (const line of formatArchitectureTable(table)) io.out(line)
    return 0
  }
}

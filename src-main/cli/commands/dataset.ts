import { syntheticFaceAttributes, SYNTH_FACES_DEFAULTS, type DatasetSummary, type SyntheticFaceAttribute } from '../../../src-shared/dataset'
import { datasetFormatLabels } from '../../../src-shared/dataset'
import { ApiError } from '../../../src-shared/errors'
import { generateSyntheticFaces, inspectDataset } from '../../engine/data/index'
import { intOption, parseCommandArgs } from '../args'
import type { Command, CommandIO } from '../command'

const usage = `Usage:
  featurelens dataset inspect PATH [--json] [--label ATTR]
  featurelens dataset synth-faces OUT [--count N] [--size S] [--seed N] [--rates A=P,...] [--json]

inspect      Detects the format of a dataset folder and checks every image in it: splits,
             image size and channels, classes with counts, attributes with positive rates,
             and what was skipped and why. PATH may be "mnist" for the bundled MNIST.
             Formats: one folder per class (optionally under train/ val/ test/),
             MNIST-style IDX files, the CelebA layout (list_attr_celeba.txt), labels.csv.
  --json       print the summary as JSON
  --label ATTR for attribute datasets, the attribute to use as the label (default Smiling)

synth-faces  Writes a CelebA-layout folder of synthetic faces whose attributes each change
             one region (Smiling the mouth, Male the jaw and beard, Eyeglasses the eyes),
             with an evidence mask per image. The same seed gives the same images.
  --count N    number of faces (default ${SYNTH_FACES_DEFAULTS.count})
  --size S     image side in pixels, 32..512 (default ${SYNTH_FACES_DEFAULTS.size})
  --seed N     random seed (default ${SYNTH_FACES_DEFAULTS.seed})
  --rates      attribute probabilities, e.g. Smiling=0.5,Male=0.4,Eyeglasses=0.3
  --json       print the result as JSON`

function percent(x: number): string {
  return `${(100 * x).toFixed(1)}%`
}

/** The summary as a few aligned lines a person can scan. */
export function formatSummary(s: DatasetSummary): string[] {
  const lines: string[] = []
  lines.push(`${s.name}  (${s.path})`)
  lines.push(`format:  ${datasetFormatLabels[s.format]}`)
  lines.push(`splits:  ${s.splits.map((x) => `${x.name} ${x.count}`).join(', ')}  (total ${s.total}${s.skipped ? `, ${s.skipped} skipped` : ''})`)
  const sizes = s.image.uniform ? '' : ` (most common of ${s.image.sizes.length}${s.image.sizes.length === 5 ? '+' : ''} sizes)`
  lines.push(`images:  ${s.image.width}×${s.image.height}×${s.image.channels}${sizes}; ${Object.entries(s.image.encodings).map(([k, v]) => `${v} ${k}`).join(', ')}`)
  lines.push(`label:   ${s.label.kind === 'class' ? 'class' : `attribute ${s.label.attribute}`}`)
  const splitNames = s.splits.map((x) => x.name)
  const width = Math.max(5, ...s.classes.map((c) => c.name.length))
  lines.push(`classes: ${s.classes.length}`)
  lines.push(`  ${'name'.padEnd(width)}  ${splitNames.map((n) => n.padStart(7)).join(' ')}    total`)
  for (const c of s.classes) lines.push(`  ${c.name.padEnd(width)}  ${splitNames.map((n) => String(c.counts[n] ?? 0).padStart(7)).join(' ')}  ${String(c.total).padStart(7)}`)
  if (s.attributes.length) {
    lines.push(`attributes: ${s.attributes.length} (positive rate)`)
    const w = Math.max(...s.attributes.map((a) => a.name.length))
    for (const a of s.attributes) lines.push(`  ${a.name.padEnd(w)}  ${percent(a.positiveRate).padStart(6)}  (${a.positives} of ${a.total})`)
  }
  if (s.synthetic) lines.push(`synthetic faces: seed ${s.synthetic.seed}, evidence masks in ${s.synthetic.maskDir}/`)
  if (s.warnings.length) {
    lines.push(`warnings: ${s.warnings.length}`)
    for (const w of s.warnings) lines.push(`  ${w.message}${w.examples.length ? `: ${w.examples.slice(0, 3).join('; ')}` : ''}`)
  } else lines.push('warnings: none')
  return lines
}

function parseRates(value: string | undefined): Partial<Record<SyntheticFaceAttribute, number>> | undefined {
  if (value === undefined) return undefined
  const rates: Partial<Record<SyntheticFaceAttribute, number>> = {}
  for (const part of value.split(',')) {
    const [name, p] = part.split('=').map((x) => x.trim())
    if (!(syntheticFaceAttributes as readonly string[]).includes(name)) {
      throw new ApiError('invalid_request', `--rates: unknown attribute "${name}"; use ${syntheticFaceAttributes.join(', ')}`)
    }
    const rate = Number(p)
    if (p === undefined || p === '' || !(rate >= 0 && rate <= 1)) throw new ApiError('invalid_request', `--rates: ${name} must be a probability between 0 and 1, got "${p ?? ''}"`)
    rates[name as SyntheticFaceAttribute] = rate
  }
  return rates
}

async function inspect(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('dataset', args, { json: { type: 'boolean' }, label: { type: 'string' } })
  if (positionals.length !== 1) throw new ApiError('invalid_request', 'dataset inspect: give one PATH (a dataset folder, or "mnist"). Run "featurelens dataset --help" for usage.')
  const summary = await inspectDataset(positionals[0], { label: values.label })
  if (values.json) io.out(JSON.stringify(summary, null, 2))
  else for (const line of formatSummary(summary)) io.out(line)
  return 0
}

async function synthFaces(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('dataset', args, {
    count: { type: 'string' },
    size: { type: 'string' },
    seed: { type: 'string' },
    rates: { type: 'string' },
    json: { type: 'boolean' }
  })
  if (positionals.length !== 1) throw new ApiError('invalid_request', 'dataset synth-faces: give one OUT folder to create. Run "featurelens dataset --help" for usage.')
  const started = Date.now()
  const result = await generateSyntheticFaces(positionals[0], {
    count: intOption('count', values.count, SYNTH_FACES_DEFAULTS.count, 1),
    size: intOption('size', values.size, SYNTH_FACES_DEFAULTS.size, 1),
    seed: intOption('seed', values.seed, SYNTH_FACES_DEFAULTS.seed),
    rates: parseRates(values.rates)
  })
  if (values.json) io.out(JSON.stringify(result, null, 2))
  else {
    io.out(`wrote ${result.count} faces of ${result.size}×${result.size} to ${result.out} in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${result.seed})`)
    io.out(`attributes: ${Object.entries(result.rates).map(([a, r]) => `${a} ${percent(r)}`).join(', ')}`)
    io.out(`open it with: featurelens dataset inspect ${result.out}`)
  }
  return 0
}

export const datasetCommand: Command = {
  name: 'dataset',
  summary: 'inspect a dataset folder (or the bundled MNIST); generate synthetic faces',
  usage,
  async run(args, io) {
    const [sub, ...rest] = args
    if (sub === 'inspect') return inspect(rest, io)
    if (sub === 'synth-faces') return synthFaces(rest, io)
    throw new ApiError('invalid_request', `dataset: ${sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`}; use "inspect" or "synth-faces". Run "featurelens dataset --help" for usage.`)
  }
}

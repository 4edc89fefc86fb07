import { StrategyName, STRATEGY_LABELS, type EarlyExitResult, type StrategyResult } from '../../../src-shared/earlyExit'
import { ApiError } from '../../../src-shared/errors'
import { intOption, numberOption, parseCommandArgs } from '../args'
import type { Command, CommandIO } from '../command'
import { withTask } from '../task'
import { listOption, oneRun } from './earlyExitCli'

const usage = `Usage: featurelens earlyexit RUN [--layers L1,L2] [--strategy knn|centroid|confidence] [--threshold T | --sweep] [--batch N] [--json]

Early exit by feature-map similarity (Park & Kim 2019): each query image (the images RUN did
not train on, else its test images) goes through the network one stage at a time; after each
candidate conv layer its descriptor is matched against the cached descriptors of the training
images and, when the match passes, the image leaves with that label and the deeper layers are
not run. Prints per-layer hit rates and accuracy, accuracy against the full network, measured
latency (mean and p95, batch 1 and batched, split into stages, descriptor and search) and a
sentence that states the result. Descriptors are extracted first when missing. Cached.

Options:
  --layers L1,L2         candidate conv layers (default: every conv layer before the flatten)
  --strategy S           knn, centroid or confidence (default: all three)
  --threshold T          the operating threshold: a cosine distance (knn), a factor of the
                         class mean distance (centroid) or a top probability (confidence);
                         default: each strategy's fastest threshold within 1 pt of full accuracy
  --sweep                also print each strategy's threshold sweep
  --k N                  neighbours for knn (default 5)
  --entropy              confidence exits by entropy ≤ T instead of top probability ≥ T
  --global-distance D    an image exits only when its match is also within cosine distance D
  --queries N            query images (default 500)
  --batch N              batch size of the batched latency (default 64)
  --epoch N              epoch of the run (default: its last)
  --json                 print the result as JSON
  --workspace DIR        workspace directory`

const pct = (v: number | null): string => (v === null ? '–' : `${(v * 100).toFixed(1)}%`)
const ms = (v: number): string => `${v.toFixed(3)} ms`

function strategyText(s: StrategyResult, io: CommandIO, sweep: boolean): void {
  io.out('')
  io.out(`${STRATEGY_LABELS[s.strategy]}: ${s.thresholdName} ${Number(s.threshold.toPrecision(4))} (${s.chosenBy})`)
  io.out(`  accuracy ${pct(s.accuracy)}, ${pct(s.hitRate)} of images exit early; ${s.speedup.toFixed(2)}× the full network's speed at batch 1, ${s.speedupBatched.toFixed(2)}× batched`)
  io.out(`  batch 1: mean ${ms(s.batch1.mean)}, p95 ${ms(s.batch1.p95)} (stages ${ms(s.batch1.split.stages)}, descriptor ${ms(s.batch1.split.descriptor)}, search ${ms(s.batch1.split.search)})`)
  io.out(`  batched: mean ${ms(s.batched.mean)}, p95 ${ms(s.batched.p95)} (stages ${ms(s.batched.split.stages)}, descriptor ${ms(s.batched.split.descriptor)}, search ${ms(s.batched.split.search)})`)
  io.out('  ' + 'LAYER'.padEnd(18) + 'EXITS'.padEnd(8) + 'HIT RATE'.padEnd(10) + 'ACCURACY')
  for (const l of s.perLayer) io.out('  ' + l.layer.padEnd(18) + String(l.hits).padEnd(8) + pct(l.hitRate).padEnd(10) + pct(l.accuracy))
  if (!sweep) return
  io.out('  ' + 'THRESHOLD'.padEnd(12) + 'ACCURACY'.padEnd(10) + 'MEAN MS'.padEnd(10) + 'HIT RATE')
  for (const p of s.sweep) io.out('  ' + String(Number(p.threshold.toPrecision(4))).padEnd(12) + pct(p.accuracy).padEnd(10) + p.meanLatencyMs.toFixed(3).padEnd(10) + pct(p.hitRate))
}

export function earlyExitText(r: EarlyExitResult, io: CommandIO, sweep: boolean): void {
  io.out(`${r.runId} epoch ${r.epoch}: ${r.queries} queries (${r.querySource}) against ${r.referenceSource}; candidate layers ${r.layers.join(', ')}`)
  io.out(`full network: accuracy ${pct(r.full.accuracy)}; batch 1 mean ${ms(r.full.batch1.mean)}, p95 ${ms(r.full.batch1.p95)}; batch ${r.batch} mean ${ms(r.full.batched.mean)}, p95 ${ms(r.full.batched.p95)} per image`)
  for (const s of r.strategies) strategyText(s, io, sweep)
  io.out('')
  io.out(r.sentence)
}

export const earlyExitCommand: Command = {
  name: 'earlyexit',
  summary: 'classify early by feature-map similarity and measure what it saves',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('earlyexit', args, {
      layers: { type: 'string' },
      strategy: { type: 'string' },
      threshold: { type: 'string' },
      sweep: { type: 'boolean' },
      k: { type: 'string' },
      entropy: { type: 'boolean' },
      'global-distance': { type: 'string' },
      queries: { type: 'string' },
      batch: { type: 'string' },
      epoch: { type: 'string' },
      json: { type: 'boolean' },
      workspace: { type: 'string' }
    })
    const runId = oneRun('earlyexit', positionals)
    if (values.threshold !== undefined && values.sweep) throw new ApiError('invalid_request', 'choose --threshold T or --sweep, not both')
    let strategies: StrategyName[] | undefined
    if (values.strategy !== undefined) {
      const parsed = StrategyName.safeParse(values.strategy)
      if (!parsed.success) throw new ApiError('invalid_request', `--strategy must be one of ${StrategyName.options.join(', ')}; got "${values.strategy}"`)
      strategies = [parsed.data]
    }
    const threshold = numberOption('threshold', values.threshold)
    const globalDistance = numberOption('global-distance', values['global-distance'])
    const layers = listOption(values.layers)
    const request = {
      runId,
      ...(strategies ? { strategies } : {}),
      ...(threshold !== undefined ? { threshold } : {}),
      ...(globalDistance !== undefined ? { globalDistance } : {}),
      ...(layers ? { layers } : {}),
      ...(values.epoch !== undefined ? { epoch: intOption('epoch', values.epoch, 0, 0) } : {}),
      k: intOption('k', values.k, 5, 1),
      confidenceMeasure: values.entropy ? ('entropy' as const) : ('probability' as const),
      queries: intOption('queries', values.queries, 500, 1),
      batch: intOption('batch', values.batch, 64, 2)
    }
    const result = await withTask(values.workspace, io, (api, taskId) => api.call('earlyExit.run', { ...request, taskId }))
    if (values.json) io.out(JSON.stringify(result))
    else earlyExitText(result, io, values.sweep ?? false)
    return 0
  }
}

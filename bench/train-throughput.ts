/**
 * Training throughput of our default backend against PyTorch on the CPU, per reference model.
 * Prints figures; not a test.
 *
 *   npm run bench:train [-- --json] [-- --rounds 3 --scale 1 --threads N --torch-threads 2 --no-torch --no-install --models minimal,lenet5,vgg11]
 *   npm run bench:train -- --backend webgpu [--batch 256] [--no-wasm]
 *
 * Our threads per batch are what a training job would choose (chooseTrainThreads) unless --threads is given.
 * With --backend, that backend is measured (named with its GPU adapter for webgpu) beside wasm,
 * unless --no-wasm. A software adapter (SwiftShader) gives a correctness run, not GPU figures.
 *
 * Both peers train the same architecture with Adam 1e-3 at batch 64 on the same images in the
 * same run. The cores are shared with other work, so the peers take turns (ours first in even
 * rounds, PyTorch first in odd ones) and the ratio is of the medians over the rounds.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { BackendName, computeLabel, type BackendReport } from '../src-shared/backend'
import { ModelSpec, type ModelSpecInput } from '../src-shared/model'
import { initBackend } from '../src-main/engine/backend/select'
import { chooseTrainThreads } from '../src-main/engine/train/shardedStep'
import { mnistData, syntheticData, writeForPeer, type BenchData } from './throughput/benchData'
import { OurTrainer, type RoundResult } from './throughput/ours'
import { TorchPeer, type PeerRound } from './throughput/torchPeer'

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
    scale: { type: 'string', default: '1' },
    'torch-threads': { type: 'string', default: '2' },
    'no-torch': { type: 'boolean', default: false },
    'no-install': { type: 'boolean', default: false },
    models: { type: 'string', default: 'minimal,lenet5,vgg11' },
    threads: { type: 'string' },
    backend: { type: 'string' },
    batch: { type: 'string', default: '64' },
    'no-wasm': { type: 'boolean', default: false }
  }
})

const BATCH = Math.max(1, Number(values.batch) || 64)
const LEARNING_RATE = 1e-3
const SEED = 1

interface Reference {
  key: string
  label: string
  spec: ModelSpecInput & { name: 'minimal' | 'lenet5' | 'vgg11'; widthMultiplier: number }
  data: 'mnist' | 'rgb32'
  warmup: number
  steps: number
}

const references: Reference[] = [
  { key: 'minimal', label: 'LeNet-style (minimal): conv8 5×5, pool, conv16 5×5, pool, dense; MNIST', spec: { name: 'minimal', widthMultiplier: 1 }, data: 'mnist', warmup: 30, steps: 300 },
  { key: 'lenet5', label: 'lenet5; MNIST', spec: { name: 'lenet5', widthMultiplier: 1 }, data: 'mnist', warmup: 20, steps: 200 },
  { key: 'vgg11', label: 'VGG-11 width 1/4; 32×32×3', spec: { name: 'vgg11', widthMultiplier: 0.25 }, data: 'rgb32', warmup: 5, steps: 40 }
]

const json = values.json
const log = (line: string) => (json ? process.stderr : process.stdout).write(line + '\n')
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const fmt = (n: number) => Math.round(n).toLocaleString('en')

async function main(): Promise<void> {
  const rounds = Math.max(1, Number(values.rounds))
  const scale = Math.max(0.01, Number(values.scale))
  const torchThreads = Math.max(1, Number(values['torch-threads']))
  const wanted = new Set(values.models.split(',').map((m) => m.trim()))
  const chosen = references.filter((r) => wanted.has(r.key))

  if (values.backend !== undefined && !BackendName.safeParse(values.backend).success) throw new Error(`--backend must be one of ${BackendName.options.join(', ')}, got "${values.backend}"`)
  const backend = await initBackend(values.backend ?? null)
  if (values.backend && backend.chosen !== values.backend) throw new Error(`${values.backend} could not be used: ${backend.details.fallback}`)
  log(`our backend: ${computeLabel(backend)} (${Object.entries(backend.details).map(([k, v]) => `${k}=${v}`).join(', ')})`)
  if (backend.details.software === true) log('note: a software adapter runs on the CPU; these webgpu figures check the path, they are not GPU figures')
  // Each of ours is measured with the product's loop; a backend other than wasm is set beside wasm.
  const reports: BackendReport[] = [backend]
  if (backend.chosen !== 'wasm' && !values['no-wasm']) reports.push(await initBackend('wasm'))

  const peer = values['no-torch'] ? null : await TorchPeer.start(torchThreads, !values['no-install'], log)
  if (peer) log(`PyTorch peer: torch ${peer.info.torch}, ${peer.info.threads} threads, mkldnn ${peer.info.mkldnn} (${peer.info.python})`)
  else log(values['no-torch'] ? 'PyTorch peer: skipped (--no-torch)' : 'PyTorch peer: missing; printing our figures only')

  const dir = mkdtempSync(join(tmpdir(), 'fl-bench-train-'))
  const datasets = new Map<string, { data: BenchData; files: { data: string; labels: string } }>()
  const load = async (kind: Reference['data']) => {
    if (!datasets.has(kind)) {
      const data = kind === 'mnist' ? await mnistData(8192) : syntheticData(4096, 32, 3, 10, SEED)
      datasets.set(kind, { data, files: writeForPeer(data, dir, kind) })
    }
    return datasets.get(kind)!
  }

  const results = []
  try {
    for (const ref of chosen) {
      const { data, files } = await load(ref.data)
      const warmup = Math.max(1, Math.round(ref.warmup * scale))
      const steps = Math.max(1, Math.round(ref.steps * scale))
      log(`\n${ref.label}: batch ${BATCH}, Adam ${LEARNING_RATE}, ${data.name}, ${warmup} warm-up + ${steps} timed steps × ${rounds} rounds`)
      const trainers: { report: BackendReport; label: string; trainer: OurTrainer; rounds: RoundResult[] }[] = []
      for (const report of reports) {
        await initBackend(report.chosen)
        const threads = values.threads ? Math.max(1, Number(values.threads)) : chooseTrainThreads(report.chosen, BATCH)
        const trainer = await OurTrainer.create(ModelSpec.parse(ref.spec), data, BATCH, LEARNING_RATE, SEED, report.chosen, threads)
        trainers.push({ report, label: computeLabel(report), trainer, rounds: [] })
        log(`  ours on ${computeLabel(report)}: ${trainer.note}`)
      }
      const torchRounds: PeerRound[] = []
      const runOurs = async (r: number) => {
        for (const t of trainers) {
          await initBackend(t.report.chosen)
          const result = await t.trainer.round(warmup, steps, r)
          t.rounds.push(result)
          log(`  round ${r + 1} ${t.report.chosen.padEnd(8)} ${fmt(result.imagesPerSecond).padStart(7)} images/s  (${result.cpuMsPerStep?.toFixed(1)} CPU ms/step)`)
        }
      }
      const runTorch = async (r: number) => {
        if (!peer) return
        const result = await peer.round({
          model: ref.spec.name, width: ref.spec.widthMultiplier, data: files.data, labels: files.labels, shape: data.shape,
          classes: data.classes, batch: BATCH, warmup, steps, seed: SEED + r, lr: LEARNING_RATE
        })
        torchRounds.push(result)
        log(`  round ${r + 1} PyTorch: ${fmt(result.imagesPerSecond).padStart(7)} images/s  (${result.cpuMsPerStep.toFixed(1)} CPU ms/step)`)
      }
      for (let r = 0; r < rounds; r++) {
        if (r % 2 === 0) {
          await runOurs(r)
          await runTorch(r)
        } else {
          await runTorch(r)
          await runOurs(r)
        }
      }
      for (const t of trainers) {
        await initBackend(t.report.chosen)
        await t.trainer.dispose()
      }
      const [first, ...others] = trainers
      const ourRounds = first.rounds
      const oursIps = median(ourRounds.map((r) => r.imagesPerSecond))
      const torchIps = peer ? median(torchRounds.map((r) => r.imagesPerSecond)) : null
      const ratio = torchIps ? oursIps / torchIps : null
      const beside = others.map((t) => ({ backend: t.label, imagesPerSecond: median(t.rounds.map((r) => r.imagesPerSecond)), rounds: t.rounds }))
      log(`  ${ref.key}: ours (${first.label}) ${fmt(oursIps)} images/s, ${beside.map((b) => `${b.backend} ${fmt(b.imagesPerSecond)} images/s, `).join('')}PyTorch ${torchIps ? fmt(torchIps) : 'missing'} images/s, ratio ${ratio ? ratio.toFixed(2) : 'n/a'}`)
      results.push({
        model: ref.key, label: ref.label, batch: BATCH, warmup, steps, rounds, ourThreads: first.trainer.step.threads,
        ours: { backend: first.label, imagesPerSecond: oursIps, rounds: ourRounds },
        beside,
        pytorch: torchIps ? { imagesPerSecond: torchIps, rounds: torchRounds } : null,
        ratio
      })
    }
  } finally {
    peer?.close()
    rmSync(dir, { recursive: true, force: true })
  }

  log(`\nbatch ${BATCH}; ours: ${computeLabel(backend)}${reports.length > 1 ? '; beside it: wasm' : ''}`)
  log(`model      ours img/s${reports.length > 1 ? '  wasm img/s' : ''}  PyTorch img/s  ratio`)
  for (const r of results) {
    const wasm = r.beside[0] ? fmt(r.beside[0].imagesPerSecond).padStart(11) + ' ' : ''
    log(`${r.model.padEnd(10)} ${fmt(r.ours.imagesPerSecond).padStart(10)} ${wasm}${(r.pytorch ? fmt(r.pytorch.imagesPerSecond) : 'missing').padStart(14)}  ${r.ratio ? r.ratio.toFixed(2) : 'n/a'}`)
  }
  if (json) {
    const out = {
      backend: { chosen: backend.chosen, compute: computeLabel(backend), details: backend.details },
      pytorch: peer ? peer.info : null,
      results
    }
    process.stdout.write(JSON.stringify(out, null, 2) + '\n')
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err)
  process.exit(1)
})

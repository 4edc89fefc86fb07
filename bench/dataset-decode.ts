/**
 * Images per second of decode + resize through the dataset loader, for a generated
 * 10,000-image PNG folder and for the bundled MNIST. Prints figures; not a test.
 *
 *   node --import tsx bench/dataset-decode.ts [--count N] [--keep]
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import sharp from 'sharp'
import type { ModelInputShape } from '../src-shared/model'
import { openDataset } from '../src-main/engine/data/index'
import { mapLimited } from '../src-main/engine/data/limits'
import { createRandom } from '../src-main/engine/data/random'
import { batchesOf, epochOrder } from '../src-main/engine/data/splits'

const { values } = parseArgs({ options: { count: { type: 'string', default: '10000' }, keep: { type: 'boolean', default: false } } })
const COUNT = Number(values.count)
const CLASSES = 10
const SIDE = 64
const BATCH = 256

function rate(n: number, ms: number): string {
  return `${Math.round((n / ms) * 1000).toLocaleString('en')} images/s`
}

/** A 64×64 RGB image with structure (a gradient and a disc) and noise, so PNG has real work. */
function image(index: number): Buffer {
  const r = createRandom(index)
  const cx = SIDE * (0.3 + 0.4 * r())
  const cy = SIDE * (0.3 + 0.4 * r())
  const out = Buffer.alloc(SIDE * SIDE * 3)
  for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) {
    const inside = (x - cx) ** 2 + (y - cy) ** 2 < 150
    for (let c = 0; c < 3; c++) out[(y * SIDE + x) * 3 + c] = Math.max(0, Math.min(255, (inside ? 200 : x * 2 + c * 30) + Math.floor(r() * 24)))
  }
  return out
}

async function makeFolder(root: string): Promise<number> {
  for (let c = 0; c < CLASSES; c++) mkdirSync(join(root, `class${c}`), { recursive: true })
  const started = performance.now()
  await mapLimited(Array.from({ length: COUNT }, (_, i) => i), 8, (i) =>
    sharp(image(i), { raw: { width: SIDE, height: SIDE, channels: 3 } }).png().toFile(join(root, `class${i % CLASSES}`, `${i}.png`))
  )
  return performance.now() - started
}

async function timeEpoch(name: string, split: import('../src-main/engine/data/index').DatasetSplit, shape: ModelInputShape, limit = split.count): Promise<void> {
  const order = epochOrder(Int32Array.from({ length: Math.min(limit, split.count) }, (_, i) => i), 0, 0)
  const started = performance.now()
  let n = 0
  for (const batch of batchesOf(order, BATCH)) n += (await split.readBatch(batch, shape)).indices.length
  console.log(`  ${name.padEnd(44)} ${rate(n, performance.now() - started)}  (${n} images)`)
}

async function main(): Promise<void> {
  console.log(`dataset decode benchmark: node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), sharp ${sharp.versions.sharp} / libvips ${sharp.versions.vips}`)
  const root = mkdtempSync(join(tmpdir(), 'fl-bench-decode-'))
  try {
    console.log(`\nPNG folder: ${COUNT} images of ${SIDE}×${SIDE}×3 in ${CLASSES} classes (${root})`)
    const writeMs = await makeFolder(root)
    console.log(`  written with sharp in ${(writeMs / 1000).toFixed(1)} s                ${rate(COUNT, writeMs)}`)
    let started = performance.now()
    const folder = await openDataset(root)
    console.log(`  ${'open (list + check every file header)'.padEnd(44)} ${rate(folder.summary.total, performance.now() - started)}`)
    const all = folder.split('all')
    await timeEpoch('decode, native 64×64×3', all, { width: 64, height: 64, channels: 3 })
    await timeEpoch('decode + resize to 32×32×3', all, { width: 32, height: 32, channels: 3 })
    await timeEpoch('decode + resize to 28×28×1', all, { width: 28, height: 28, channels: 1 })
    await timeEpoch('decode + resize to 224×224×3 (VGG input)', all, { width: 224, height: 224, channels: 3 }, 2000)

    // For comparison: resizing inside sharp, one pipeline per image (what the loader avoids for small images).
    const files = Array.from({ length: Math.min(2000, all.count) }, (_, i) => join(root, all.file(i)!))
    started = performance.now()
    await mapLimited(files, 8, (f) => sharp(f).resize(32, 32, { fit: 'fill' }).raw().toBuffer())
    console.log(`  ${'(reference) sharp decode + resize 32×32'.padEnd(44)} ${rate(files.length, performance.now() - started)}  (${files.length} images)`)

    console.log('\nBundled MNIST (IDX, in memory)')
    started = performance.now()
    const mnist = await openDataset('mnist')
    console.log(`  open: ${(performance.now() - started).toFixed(0)} ms for ${mnist.summary.total} images`)
    const train = mnist.split('train')
    await timeEpoch('native 28×28×1 (copy and scale)', train, { width: 28, height: 28, channels: 1 })
    await timeEpoch('resize to 32×32×3', train, { width: 32, height: 32, channels: 3 }, 20000)
    await timeEpoch('resize to 64×64×3', train, { width: 64, height: 64, channels: 3 }, 10000)
  } finally {
    if (values.keep) console.log(`\nkept ${root}`)
    else rmSync(root, { recursive: true, force: true })
  }
}

await main()

/**
 * Opening a large model as it is: ResNet-50 at 224×224 with random weights, exported from
 * torchvision through torch.onnx (made here by test/fixtures/models/make_onnx_fixtures.py,
 * which needs Debian's python3-torch, python3-torchvision and python3-onnx; not committed: it is
 * about 100 MB). Records the time to open it into a model run, the time to its first feature
 * map and to all of them, the memory, and checks the architecture table's receptive fields
 * against the published ones and that conv1's filters show as RGB tiles. Prints figures; not a test.
 *
 *   node --import tsx bench/open-model.ts [--onnx PATH] [--v1]
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import sharp from 'sharp'
import * as tf from '@tensorflow/tfjs'
import { openApi } from '../src-main/api/openApi'

const { values } = parseArgs({ options: { onnx: { type: 'string' }, v1: { type: 'boolean', default: false } } })
const script = fileURLToPath(new URL('../test/fixtures/models/make_onnx_fixtures.py', import.meta.url))

/** The ONNX file: given, or made once per machine from the committed script. */
function resnet50(): string {
  if (values.onnx) return resolve(values.onnx)
  const path = join(tmpdir(), `featurelens-bench-resnet50${values.v1 ? '-v1' : ''}.onnx`)
  if (!existsSync(path)) {
    console.log(`exporting ResNet-50 from torchvision to ${path} (once) …`)
    execFileSync('/usr/bin/python3', [script, '--resnet50', path, ...(values.v1 ? ['--v1'] : [])], { stdio: ['ignore', 'inherit', 'inherit'] })
  }
  return path
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`

async function main(): Promise<void> {
  const path = resnet50()
  const workspace = mkdtempSync(join(tmpdir(), 'featurelens-bench-open-'))
  const api = openApi({ workspace, shell: 'web' })
  try {
    console.log(`machine: ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`)
    const before = process.memoryUsage()
    let t = performance.now()
    const run = await api.call('models.open', { path })
    const openMs = performance.now() - t
    const afterOpen = process.memoryUsage()
    console.log(`open ${path}: ${seconds(openMs)} (read, translate, build, store epoch 0)`)

    t = performance.now()
    const table = await api.call('inspect.architecture', { runId: run.id })
    const tableMs = performance.now() - t
    const last = [...table.rows].reverse().find((r) => r.name.startsWith('layer4.') && r.receptiveField)
    const rf = last?.receptiveField?.height.size
    const published = values.v1 ? 483 : 427
    console.log(`architecture table: ${table.rows.length} layers, ${seconds(tableMs)}; last stage (${last?.name}) receptive field ${rf} px, ` +
      `${rf === published ? 'matches' : 'DOES NOT MATCH'} ${published} px (${values.v1 ? 'ResNet-50 v1, He et al. / Caffe' : "torchvision's v1.5, stride on the 3×3"})`)

    const filters = await api.call('inspect.filters', { runId: run.id, epoch: 0, layers: ['conv1'] })
    const conv1 = filters.layers[0]
    console.log(`conv1 filters: ${conv1.filters} of ${conv1.kernel.join('×')}×${conv1.inChannels}, shown as ${conv1.view}${conv1.view === 'rgb' ? ' tiles' : ''}`)

    const png = await sharp({ create: { width: 224, height: 224, channels: 3, background: { r: 120, g: 160, b: 90 } } }).png().toBuffer()
    const image = { encoded: new Uint8Array(png), name: 'green.png' }
    t = performance.now()
    await api.dispatch('inspect.featureMaps', { runId: run.id, epoch: 0, image, layers: ['conv1'] })
    const firstMs = performance.now() - t
    t = performance.now()
    const all = await api.call('inspect.featureMaps', { runId: run.id, epoch: 0, image })
    const allMs = performance.now() - t
    const mapValues = all.layers.reduce((n, l) => n + l.maps.length, 0)
    const peak = process.memoryUsage()
    console.log(`first feature map (conv1, 64 maps of 112×112): ${seconds(firstMs)}; all ${all.layers.length} layers (${(mapValues / 1e6).toFixed(1)} M values): ${seconds(allMs)}`)
    console.log(`memory: rss ${mb(before.rss)} before, ${mb(afterOpen.rss)} after opening, ${mb(peak.rss)} after all feature maps; tfjs holds ${mb(tf.memory().numBytes)} in ${tf.memory().numTensors} tensors`)
  } finally {
    api.close()
    rmSync(workspace, { recursive: true, force: true })
  }
}

void main()

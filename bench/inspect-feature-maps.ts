/**
 * Time to extract all feature maps of one image for a VGG-16 at 224 px: the forward pass that
 * keeps every spatial layer's output, the channel-major reordering, μ and σ of |F| per
 * channel, and encoding the response as one binary frame. Prints figures; not a test.
 *
 *   node --import tsx bench/inspect-feature-maps.ts [--repeat N] [--backend NAME]
 */
import * as tf from '@tensorflow/tfjs'
import { availableParallelism, cpus, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { encodeFrame } from '../src-shared/wire'
import { featureMaps, spatialLayerNames } from '../src-main/engine/analysis/featureMaps/featureMaps'
import { initBackend } from '../src-main/engine/backend/select'
import { buildBuiltinModel } from '../src-main/engine/models/buildModel'
import { layerActivations } from '../src-main/engine/analysis/core/layerActivations'

const { values } = parseArgs({ options: { repeat: { type: 'string', default: '3' }, backend: { type: 'string' } } })
const REPEAT = Number(values.repeat)
const input = { height: 224, width: 224, channels: 3 }

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function main(): Promise<void> {
  const report = await initBackend(values.backend ?? null)
  console.log(`inspector feature maps: node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), load ${loadavg()[0].toFixed(1)}, backend ${report.chosen} ${JSON.stringify(report.details)}`)
  let started = performance.now()
  const model = buildBuiltinModel({ name: 'vgg16', widthMultiplier: 1 }, input, 1000, 'softmax', 1)
  console.log(`  VGG-16 built in ${(performance.now() - started).toFixed(0)} ms: ${model.countParams().toLocaleString('en')} parameters, ${spatialLayerNames(model).length} spatial layers`)
  const x = Float32Array.from({ length: 224 * 224 * 3 }, (_, i) => ((i * 2654435761) % 1000) / 1000)

  // Warm-up: the first pass compiles kernels and allocates.
  tf.dispose([...layerActivations(model, tf.tensor4d(x, [1, 224, 224, 3])).values()])

  const forward: number[] = []
  const total: number[] = []
  const encode: number[] = []
  let bytes = 0
  let values_ = 0
  for (let k = 0; k < REPEAT; k++) {
    // The forward pass alone, every spatial layer kept, read back to the CPU.
    started = performance.now()
    const xt = tf.tensor4d(x, [1, 224, 224, 3])
    const acts = layerActivations(model, xt, spatialLayerNames(model))
    for (const t of acts.values()) await t.data()
    forward.push(performance.now() - started)
    tf.dispose([xt, ...acts.values()])

    // What inspect.featureMaps does for the image.
    started = performance.now()
    const maps = await featureMaps(model, x, input)
    total.push(performance.now() - started)
    started = performance.now()
    const frame = encodeFrame({ t: 'result', id: 1, ok: true, value: { layers: maps.layers, output: maps.output } })
    encode.push(performance.now() - started)
    bytes = frame.byteLength
    values_ = maps.layers.reduce((n, l) => n + l.maps.length, 0)
  }
  console.log(`  forward pass with every spatial layer read back: median ${median(forward).toFixed(0)} ms`)
  console.log(`  all feature maps (forward + reorder + μ/σ per channel): median ${median(total).toFixed(0)} ms (n=${REPEAT})`)
  console.log(`  binary frame: ${(bytes / 1024 / 1024).toFixed(1)} MB for ${(values_ / 1e6).toFixed(1)}M activation values, encoded in ${median(encode).toFixed(0)} ms`)
  model.dispose()
}

await main()

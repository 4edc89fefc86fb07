/**
 * Where a training step's time goes on our default backend: per phase (forward, backward,
 * optimizer, loss read) and per kernel, with the rest counted as JS overhead (engine, tape,
 * tensor bookkeeping). Prints figures; not a test.
 *
 *   node --import tsx bench/profile-train.ts [--model minimal|lenet5|vgg11] [--steps 50]
 *
 * Kernel times come from wrapping every registered kernel function of the active backend
 * with a timer (nested kernels, e.g. ours calling wasm's Conv2D, count in the outer one only).
 * Times are CPU time of this process, since the cores are shared (so run it single-threaded).
 */
import * as tf from '@tensorflow/tfjs'
import { parseArgs } from 'node:util'
import { ModelSpec } from '../src-shared/model'
import { initBackend } from '../src-main/engine/backend/select'
import { buildModel } from '../src-main/engine/models/index'
import { chooseObjective, createOptimizer, lossTensor } from '../src-main/engine/train/objective'

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'minimal' },
    steps: { type: 'string', default: '50' },
    batch: { type: 'string', default: '64' },
    /** Key kernel times by kernel and input shapes, to see which layer a cost belongs to. */
    shapes: { type: 'boolean', default: false }
  }
})
const name = values.model as 'minimal' | 'lenet5' | 'vgg11'
const steps = Number(values.steps)
const batch = Number(values.batch)

const kernelMs = new Map<string, { ms: number; calls: number }>()
const kernelMsByPhase = new Map<string, number>()
let phase = 'forward'
let depth = 0

function wrapKernels(backendName: string): void {
  for (const config of tf.getKernelsForBackend(backendName)) {
    const inner = config.kernelFunc
    const wrapped: tf.KernelFunc = (args) => {
      if (depth > 0) return inner(args)
      depth++
      const t = cpuMs()
      try {
        return inner(args)
      } finally {
        depth--
        const key = values.shapes
          ? `${config.kernelName} ${Object.values(args.inputs).filter((t) => t != null).map((t) => `[${(t as tf.TensorInfo).shape}]`).join(' ')}`
          : config.kernelName
        const entry = kernelMs.get(key) ?? { ms: 0, calls: 0 }
        const ms = cpuMs() - t
        entry.ms += ms
        kernelMsByPhase.set(phase, (kernelMsByPhase.get(phase) ?? 0) + ms)
        entry.calls++
        kernelMs.set(key, entry)
      }
    }
    tf.unregisterKernel(config.kernelName, backendName)
    tf.registerKernel({ ...config, kernelFunc: wrapped })
  }
}

const cpuMs = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

async function main(): Promise<void> {
  const report = await initBackend()
  const input = name === 'vgg11' ? { height: 32, width: 32, channels: 3 } : { height: 28, width: 28, channels: 1 }
  const objective = chooseObjective('class', 10, 'auto')
  const model = await buildModel(ModelSpec.parse({ name, widthMultiplier: name === 'vgg11' ? 0.25 : 1 }), input, 10, 'softmax', 1)
  const optimizer = createOptimizer('adam', 1e-3, 0.9)
  const xs = tf.randomUniform([batch, input.height, input.width, input.channels], 0, 1, 'float32', 1) as tf.Tensor4D
  const ys = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2) as tf.Tensor1D, 10).toFloat()

  const phases = { forward: 0, backward: 0, optimizer: 0, read: 0 }
  const step = (timed: boolean) => {
    let t = cpuMs()
    const mark = (done: keyof typeof phases, next: string) => {
      const now = cpuMs()
      if (timed) phases[done] += now - t
      t = now
      phase = next
    }
    phase = 'forward'
    // Forward alone, then forward+backward: backward = the difference.
    tf.tidy(() => {
      lossTensor(objective, ys, model.apply(xs, { training: true }) as tf.Tensor)
    })
    mark('forward', 'backward')
    const { value, grads } = tf.variableGrads(() => lossTensor(objective, ys, model.apply(xs, { training: true }) as tf.Tensor))
    mark('backward', 'optimizer')
    optimizer.applyGradients(grads)
    tf.dispose(grads)
    mark('optimizer', 'read')
    value.dataSync()
    value.dispose()
    mark('read', 'forward')
  }
  for (let i = 0; i < 5; i++) step(false)
  wrapKernels(tf.getBackend())
  for (let i = 0; i < 3; i++) step(false)
  kernelMs.clear()
  kernelMsByPhase.clear()
  const started = cpuMs()
  for (let i = 0; i < steps; i++) step(true)
  const total = (cpuMs() - started) / steps
  // The backward phase ran its own forward pass: subtract the forward figures from it.
  phases.backward -= phases.forward
  kernelMsByPhase.set('backward', (kernelMsByPhase.get('backward') ?? 0) - (kernelMsByPhase.get('forward') ?? 0))
  const kernelTotal = [...kernelMs.values()].reduce((a, k) => a + k.ms, 0) / steps

  console.log(`${name} on ${report.chosen}, batch ${batch}, ${steps} steps; CPU ms per step (forward counted twice: alone and inside backward)`)
  for (const [p, ms] of Object.entries(phases)) {
    const inKernels = (kernelMsByPhase.get(p) ?? 0) / steps
    console.log(`  ${p.padEnd(10)} ${(ms / steps).toFixed(2).padStart(7)}  (kernels ${inKernels.toFixed(2)}, JS ${(ms / steps - inKernels).toFixed(2)})`)
  }
  console.log(`  total      ${total.toFixed(2)}  (kernels ${kernelTotal.toFixed(2)}, JS overhead ${(total - kernelTotal).toFixed(2)})`)
  console.log('kernel CPU ms/step and calls/step (forward kernels counted twice):')
  const rows = [...kernelMs].sort((a, b) => b[1].ms - a[1].ms)
  for (const [kernel, k] of rows) console.log(`  ${kernel.padEnd(values.shapes ? 60 : 28)} ${(k.ms / steps).toFixed(3).padStart(8)} ${String(k.calls / steps).padStart(6)}`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})

/**
 * The forward convolution of the reference models' layers (batch 32, a data-parallel shard):
 * our native kernel against tfjs-backend-wasm's own (XNNPACK), alternating in one process.
 * Prints figures; not a test.
 *
 *   node --import tsx bench/conv-kernels.ts
 */
import * as tf from '@tensorflow/tfjs'
import { useOriginalWasmKernels } from '../src-main/engine/backend/registerWasmKernels'
import { initBackend } from '../src-main/engine/backend/select'

type Shape4 = [number, number, number, number]
const layers: Array<{ name: string; x: Shape4; filter: Shape4; pad: 'same' | 'valid' }> = [
  { name: 'minimal conv1', x: [32, 28, 28, 1], filter: [5, 5, 1, 8], pad: 'valid' },
  { name: 'minimal conv2', x: [32, 12, 12, 8], filter: [5, 5, 8, 16], pad: 'valid' },
  { name: 'lenet5 C1', x: [32, 28, 28, 1], filter: [5, 5, 1, 6], pad: 'same' },
  { name: 'lenet5 C3', x: [32, 14, 14, 6], filter: [5, 5, 6, 16], pad: 'valid' },
  { name: 'lenet5 C5', x: [32, 5, 5, 16], filter: [5, 5, 16, 120], pad: 'valid' },
  { name: 'vgg11/4 block 1', x: [32, 32, 32, 3], filter: [3, 3, 3, 16], pad: 'same' },
  { name: 'vgg11/4 block 2', x: [32, 16, 16, 16], filter: [3, 3, 16, 32], pad: 'same' },
  { name: 'vgg11/4 block 3', x: [32, 8, 8, 32], filter: [3, 3, 32, 64], pad: 'same' },
  { name: 'vgg11/4 block 4', x: [32, 4, 4, 64], filter: [3, 3, 64, 128], pad: 'same' }
]

function msPerCall(x: tf.Tensor4D, filter: tf.Tensor4D, pad: 'same' | 'valid'): number {
  for (let i = 0; i < 5; i++) tf.conv2d(x, filter, 1, pad).dispose()
  const calls = 40
  const started = performance.now()
  for (let i = 0; i < calls; i++) tf.conv2d(x, filter, 1, pad).dispose()
  return (performance.now() - started) / calls
}

const report = await initBackend('wasm')
console.log(`native kernels: ${report.details.nativeKernels}`)
console.log('layer              native ms  XNNPACK ms  ratio')
for (const layer of layers) {
  const x = tf.randomNormal(layer.x) as tf.Tensor4D
  const filter = tf.randomNormal(layer.filter) as tf.Tensor4D
  const native = [msPerCall(x, filter, layer.pad)]
  useOriginalWasmKernels(true)
  const xnnpack = msPerCall(x, filter, layer.pad)
  useOriginalWasmKernels(false)
  native.push(msPerCall(x, filter, layer.pad))
  const mine = Math.min(...native)
  console.log(`${layer.name.padEnd(18)} ${mine.toFixed(3).padStart(9)}  ${xnnpack.toFixed(3).padStart(10)}  ${(xnnpack / mine).toFixed(2)}×`)
  tf.dispose([x, filter])
}

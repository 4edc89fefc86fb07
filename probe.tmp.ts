import * as tf from '@tensorflow/tfjs'
import { initBackend } from './src-main/engine/backend/select'
import { buildModel } from './src-main/engine/models/index'
const r = await initBackend(process.argv[2] ?? 'webgpu')
console.log(r.chosen)
const model = await buildModel({ name: 'minimal' } as never, { height: 28, width: 28, channels: 1 }, 10, 'softmax', 1)
model.summary()
const opt = tf.train.adam(1e-3)
const xs = tf.randomNormal([32, 28, 28, 1]); const ys = tf.oneHot(tf.tensor1d(Array.from({length: 32}, (_, i) => i % 10), 'int32'), 10)
for (let i = 0; i < 6; i++) {
  const t0 = performance.now()
  const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor), true)!
  const t1 = performance.now()
  const v = (await loss.data())[0]
  console.log(i, v.toFixed(4), 'enqueue', (t1 - t0).toFixed(0), 'ms; read', (performance.now() - t1).toFixed(0), 'ms')
  loss.dispose()
}

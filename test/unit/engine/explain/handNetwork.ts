/**
 * A tiny network with hand-set weights, and an independent float64 forward pass of it written
 * out by hand, for checking the explanation methods against finite differences:
 * 6×6×1 → conv "c" (2 filters 3×3, valid, ReLU) → max-pool "p" 2×2 → flatten → dense "out" (3, softmax).
 */
import * as tf from '@tensorflow/tfjs'

export const H = 6
export const K = 3
/** Filters [f][dy][dx]. */
export const filters = [
  [
    [0.5, -0.2, 0.1],
    [0.3, 0.8, -0.4],
    [-0.1, 0.2, 0.6]
  ],
  [
    [-0.3, 0.4, 0.2],
    [0.1, -0.5, 0.7],
    [0.6, 0.1, -0.2]
  ]
]
export const convBias = [0.05, -0.1]
/** Dense weights [input 8 (y, x, channel order)][class 3]. */
export const dense = Array.from({ length: 8 }, (_, i) => [Math.sin(i + 1) * 0.9, Math.cos(i * 1.7) * 0.8, Math.sin(i * 0.6 + 2) * 0.7])
export const denseBias = [0.1, -0.05, 0.02]

export function handModel(): tf.LayersModel {
  const input = tf.input({ shape: [H, H, 1], name: 'image' })
  const c = tf.layers.conv2d({ name: 'c', filters: 2, kernelSize: K, padding: 'valid', activation: 'relu' }).apply(input) as tf.SymbolicTensor
  const p = tf.layers.maxPooling2d({ name: 'p', poolSize: 2 }).apply(c) as tf.SymbolicTensor
  const f = tf.layers.flatten({ name: 'flatten' }).apply(p) as tf.SymbolicTensor
  const out = tf.layers.dense({ name: 'out', units: 3, activation: 'softmax' }).apply(f) as tf.SymbolicTensor
  const model = tf.model({ inputs: input, outputs: out })
  const kernel = new Float32Array(K * K * 2)
  for (let dy = 0; dy < K; dy++) for (let dx = 0; dx < K; dx++) for (let o = 0; o < 2; o++) kernel[(dy * K + dx) * 2 + o] = filters[o][dy][dx]
  model.getLayer('c').setWeights([tf.tensor4d(kernel, [K, K, 1, 2]), tf.tensor1d(convBias)])
  model.getLayer('out').setWeights([tf.tensor2d(dense), tf.tensor1d(denseBias)])
  return model
}

/** Conv + ReLU by hand: [y][x][f], 4×4×2. */
export function handConv(x: ArrayLike<number>): number[][][] {
  const n = H - K + 1
  return Array.from({ length: n }, (_, y) =>
    Array.from({ length: n }, (_, xx) =>
      [0, 1].map((o) => {
        let s = convBias[o]
        for (let dy = 0; dy < K; dy++) for (let dx = 0; dx < K; dx++) s += filters[o][dy][dx] * x[(y + dy) * H + xx + dx]
        return Math.max(0, s)
      })
    )
  )
}

/** Logits from the conv maps, by hand (pool, flatten in y, x, channel order, dense). */
export function handLogitsFromConv(a: number[][][]): number[] {
  const pooled: number[] = []
  for (let y = 0; y < 2; y++) for (let x = 0; x < 2; x++) for (let o = 0; o < 2; o++) pooled.push(Math.max(a[2 * y][2 * x][o], a[2 * y][2 * x + 1][o], a[2 * y + 1][2 * x][o], a[2 * y + 1][2 * x + 1][o]))
  return [0, 1, 2].map((c) => denseBias[c] + pooled.reduce((s, v, i) => s + v * dense[i][c], 0))
}

export const handLogits = (x: ArrayLike<number>): number[] => handLogitsFromConv(handConv(x))

/** A fixed test image with values in 0..1. */
export function handImage(): Float32Array {
  return Float32Array.from({ length: H * H }, (_, i) => 0.5 + 0.45 * Math.sin(i * 1.3 + 0.4) * Math.cos(i * 0.7))
}

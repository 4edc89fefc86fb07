import { AvgPoolGrad, backend_util, MaxPoolGrad, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs'
import { f32, makeOutput } from './wasmHeap'

export type PoolGradAttrs = {
  filterSize: number | [number, number]
  strides: number | [number, number]
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding
  dimRoundingMode?: 'floor' | 'round' | 'ceil'
}

export function poolInfo(kernel: string, x: TensorInfo, dy: TensorInfo, attrs: PoolGradAttrs): backend_util.Conv2DInfo {
  if (x.shape.length !== 4) throw new Error(`wasm ${kernel}: expected a rank-4 input, got shape [${x.shape}]`)
  const info = backend_util.computePool2DInfo(x.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode)
  const [n, oh, ow, c] = info.outShape
  if (dy.shape.length !== 4 || dy.shape[0] !== n || dy.shape[1] !== oh || dy.shape[2] !== ow || dy.shape[3] !== c) {
    throw new Error(`wasm ${kernel}: dy has shape [${dy.shape}] but the pooling output is [${info.outShape}]`)
  }
  return info
}

/**
 * dx for MaxPool. tfjs-backend-wasm 4.22's own kernel was the largest single cost of a
 * LeNet training step. This one walks NHWC memory in order: for each output pixel it scans the
 * window once for all channels, keeping each channel's first maximum (a strictly greater value
 * replaces it, as in the cpu backend, so ties go to the first position in row-major window
 * order), then routes dy there. Windows that only cover padding pass no gradient.
 */
export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo }
    const info = poolInfo('MaxPoolGrad', input, dy, attrs as PoolGradAttrs)
    const out = makeOutput(backend, input.shape)
    const x = f32(backend, input)
    const g = f32(backend, dy)
    const dx = f32(backend, out)
    dx.fill(0)
    const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth } = info
    const fh = info.effectiveFilterHeight
    const fw = info.effectiveFilterWidth
    const best = new Float32Array(c)
    const where = new Int32Array(c)
    let o = 0
    for (let b = 0; b < batchSize; b++) {
      for (let oh = 0; oh < outHeight; oh++) {
        const top = oh * strideHeight - info.padInfo.top
        const h0 = Math.max(0, top)
        const h1 = Math.min(inHeight, top + fh)
        for (let ow = 0; ow < outWidth; ow++, o += c) {
          const left = ow * strideWidth - info.padInfo.left
          const w0 = Math.max(0, left)
          const w1 = Math.min(inWidth, left + fw)
          best.fill(-Infinity)
          where.fill(-1)
          for (let h = h0; h < h1; h++) {
            for (let w = w0; w < w1; w++) {
              const base = ((b * inHeight + h) * inWidth + w) * c
              for (let ch = 0; ch < c; ch++) {
                const v = x[base + ch]
                if (v > best[ch]) {
                  best[ch] = v
                  where[ch] = base + ch
                }
              }
            }
          }
          for (let ch = 0; ch < c; ch++) if (where[ch] >= 0) dx[where[ch]] += g[o + ch]
        }
      }
    }
    return out
  }
}

/**
 * dx for AvgPool, also slow in tfjs-backend-wasm 4.22: every output pixel spreads its
 * gradient over the input pixels of its window. As in the cpu backend the divisor is the
 * window's full area, padding included, and each input pixel's sum is scaled once at the end.
 */
export const avgPoolGradConfig: KernelConfig = {
  kernelName: AvgPoolGrad,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo }
    const info = poolInfo('AvgPoolGrad', input, dy, attrs as PoolGradAttrs)
    const out = makeOutput(backend, input.shape)
    const g = f32(backend, dy)
    const dx = f32(backend, out)
    dx.fill(0)
    const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth } = info
    const fh = info.effectiveFilterHeight
    const fw = info.effectiveFilterWidth
    let o = 0
    for (let b = 0; b < batchSize; b++) {
      for (let oh = 0; oh < outHeight; oh++) {
        const top = oh * strideHeight - info.padInfo.top
        const h0 = Math.max(0, top)
        const h1 = Math.min(inHeight, top + fh)
        for (let ow = 0; ow < outWidth; ow++, o += c) {
          const left = ow * strideWidth - info.padInfo.left
          const w0 = Math.max(0, left)
          const w1 = Math.min(inWidth, left + fw)
          for (let h = h0; h < h1; h++) {
            for (let w = w0; w < w1; w++) {
              const base = ((b * inHeight + h) * inWidth + w) * c
              for (let ch = 0; ch < c; ch++) dx[base + ch] += g[o + ch]
            }
          }
        }
      }
    }
    const scale = 1 / (info.filterHeight * info.filterWidth)
    for (let i = 0; i < dx.length; i++) dx[i] *= scale
    return out
  }
}

/** Map resampling shared by the explanation methods. */

export type BilinearPlan = ReturnType<typeof bilinearPlan>

/** Bilinear weights (half-pixel centres, as tf.image.resizeBilinear) from h×w to H×W. */
export function bilinearPlan(h: number, w: number, H: number, W: number) {
  const axis = (src: number, dst: number) => {
    const lo = new Int32Array(dst)
    const hi = new Int32Array(dst)
    const f = new Float32Array(dst)
    for (let i = 0; i < dst; i++) {
      const s = Math.min(src - 1, Math.max(0, ((i + 0.5) * src) / dst - 0.5))
      lo[i] = Math.floor(s)
      hi[i] = Math.min(src - 1, lo[i] + 1)
      f[i] = s - lo[i]
    }
    return { lo, hi, f }
  }
  return { y: axis(h, H), x: axis(w, W) }
}

/** Writes the h×w map, upsampled through `plan`, into `out` (H×W). */
export function upsampleInto(map: ArrayLike<number>, w: number, plan: BilinearPlan, out: Float32Array | Float64Array): void {
  const H = plan.y.lo.length
  const W = plan.x.lo.length
  for (let Y = 0; Y < H; Y++) {
    const r0 = plan.y.lo[Y] * w
    const r1 = plan.y.hi[Y] * w
    const fy = plan.y.f[Y]
    for (let X = 0; X < W; X++) {
      const c0 = plan.x.lo[X]
      const c1 = plan.x.hi[X]
      const fx = plan.x.f[X]
      const top = map[r0 + c0] * (1 - fx) + map[r0 + c1] * fx
      const bottom = map[r1 + c0] * (1 - fx) + map[r1 + c1] * fx
      out[Y * W + X] = top * (1 - fy) + bottom * fy
    }
  }
}

/** Bilinear upsampling (half-pixel centres, as tf.image.resizeBilinear) of an h×w map to H×W. */
export function bilinearUpsample(map: ArrayLike<number>, h: number, w: number, H: number, W: number): Float32Array {
  const out = new Float32Array(H * W)
  upsampleInto(map, w, bilinearPlan(h, w, H, W), out)
  return out
}

/**
 * Bilinear sampling of an H×W×C image through an inverse map: output pixel (x, y) reads the
 * input at `source(x, y)`; coordinates outside are clamped to the border (the edge repeats).
 */
export function warpImage(image: Float32Array, H: number, W: number, C: number, source: (x: number, y: number) => [number, number]): Float32Array {
  const out = new Float32Array(H * W * C)
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const [sx0, sy0] = source(x, y)
      const sx = Math.min(W - 1, Math.max(0, sx0))
      const sy = Math.min(H - 1, Math.max(0, sy0))
      const x0 = Math.floor(sx)
      const y0 = Math.floor(sy)
      const x1 = Math.min(W - 1, x0 + 1)
      const y1 = Math.min(H - 1, y0 + 1)
      const fx = sx - x0
      const fy = sy - y0
      for (let c = 0; c < C; c++) {
        const v00 = image[(y0 * W + x0) * C + c]
        const v01 = image[(y0 * W + x1) * C + c]
        const v10 = image[(y1 * W + x0) * C + c]
        const v11 = image[(y1 * W + x1) * C + c]
        out[(y * W + x) * C + c] = (v00 * (1 - fx) + v01 * fx) * (1 - fy) + (v10 * (1 - fx) + v11 * fx) * fy
      }
    }
  }
  return out
}

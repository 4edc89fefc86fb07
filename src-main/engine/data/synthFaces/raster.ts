/**
 * A tiny signed-distance rasteriser: shapes are distance functions, and a pixel's coverage is
 * how far inside the edge its centre lies, which anti-aliases edges without supersampling.
 */

export type Rgb = readonly [number, number, number]

/** Distance from a point to a shape's edge in the shape's own units; negative inside. */
export type Sdf = (x: number, y: number) => number

export const sdf = {
  /** Approximate for ellipses (exact for circles); good enough at drawing scale. */
  ellipse(cx: number, cy: number, rx: number, ry: number): Sdf {
    const r = Math.min(rx, ry)
    return (x, y) => {
      const u = (x - cx) / rx
      const v = (y - cy) / ry
      return (Math.sqrt(u * u + v * v) - 1) * r
    }
  },
  /** A line segment with round ends and half-thickness r (a capsule). */
  segment(x0: number, y0: number, x1: number, y1: number, r: number): Sdf {
    const dx = x1 - x0
    const dy = y1 - y0
    const len2 = dx * dx + dy * dy || 1e-12
    return (x, y) => {
      const t = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / len2))
      const ex = x - x0 - t * dx
      const ey = y - y0 - t * dy
      return Math.sqrt(ex * ex + ey * ey) - r
    }
  },
  /** A thick polyline through points, as the union of its segments. */
  polyline(points: readonly (readonly [number, number])[], r: number): Sdf {
    const parts = points.slice(1).map((p, i) => sdf.segment(points[i][0], points[i][1], p[0], p[1], r))
    return (x, y) => {
      let d = Infinity
      for (const part of parts) d = Math.min(d, part(x, y))
      return d
    }
  },
  /** An axis-aligned box with rounded corners (half sizes hx, hy, corner radius rc). */
  roundBox(cx: number, cy: number, hx: number, hy: number, rc: number): Sdf {
    return (x, y) => {
      const qx = Math.abs(x - cx) - hx + rc
      const qy = Math.abs(y - cy) - hy + rc
      const mx = Math.max(qx, 0)
      const my = Math.max(qy, 0)
      return Math.sqrt(mx * mx + my * my) + Math.min(Math.max(qx, qy), 0) - rc
    }
  },
  ring(shape: Sdf, halfThickness: number): Sdf {
    return (x, y) => Math.abs(shape(x, y)) - halfThickness
  },
  union(...shapes: Sdf[]): Sdf {
    return (x, y) => {
      let d = Infinity
      for (const s of shapes) d = Math.min(d, s(x, y))
      return d
    }
  },
  intersect(...shapes: Sdf[]): Sdf {
    return (x, y) => {
      let d = -Infinity
      for (const s of shapes) d = Math.max(d, s(x, y))
      return d
    }
  },
  /** Everything not inside `shape`. */
  outside(shape: Sdf): Sdf {
    return (x, y) => -shape(x, y)
  },
  /** The half-plane below y = y0 (larger y), for cutting shapes. */
  below(y0: number): Sdf {
    return (_x, y) => y0 - y
  },
  above(y0: number): Sdf {
    return (_x, y) => y - y0
  }
}

/** Maps pixel centres into a shape space (the face's local frame) and back to pixel distances. */
export interface Frame {
  /** Local coordinates of every pixel centre, row-major (computed once per drawing). */
  localX: Float32Array
  localY: Float32Array
  /** Pixels per local unit. */
  scale: number
  /** A pixel box guaranteed to contain local box [x0,x1]×[y0,y1]. */
  pixelBounds(x0: number, y0: number, x1: number, y1: number): [number, number, number, number]
}

/** An RGB image in floats 0..1, drawn on with coverage-weighted blending. */
export class Canvas {
  readonly data: Float32Array

  /** `clip` limits drawing to a pixel box [x0, y0, x1, y1) when only part of the image is needed. */
  constructor(
    readonly width: number,
    readonly height: number,
    readonly clip: readonly [number, number, number, number] = [0, 0, width, height]
  ) {
    this.data = new Float32Array(width * height * 3)
  }

  /**
   * Blends `colour` into the pixels covered by `shape`, with `opacity` (one value, or one per
   * pixel). `bounds` is a local box containing the shape, so far pixels are not evaluated.
   */
  fill(frame: Frame, shape: Sdf, bounds: [number, number, number, number], colour: Rgb, opacity: number | Float32Array = 1): void {
    const [x0, y0, x1, y1] = frame.pixelBounds(...bounds)
    const [cx0, cy0, cx1, cy1] = this.clip
    const { localX, localY, scale } = frame
    const data = this.data
    const [r, g, b] = colour
    const alphaMap = typeof opacity === 'number' ? null : opacity
    const alpha = typeof opacity === 'number' ? opacity : 1
    const yEnd = Math.min(cy1, y1)
    const xStart = Math.max(cx0, x0)
    const xEnd = Math.min(cx1, x1)
    for (let py = Math.max(cy0, y0); py < yEnd; py++) {
      for (let px = xStart; px < xEnd; px++) {
        const p = py * this.width + px
        const d = shape(localX[p], localY[p]) * scale
        if (d >= 0.5) continue
        const a = (d <= -0.5 ? 1 : 0.5 - d) * (alphaMap === null ? alpha : alphaMap[p])
        const i = p * 3
        data[i] += (r - data[i]) * a
        data[i + 1] += (g - data[i + 1]) * a
        data[i + 2] += (b - data[i + 2]) * a
      }
    }
  }

  /** 8-bit RGB for encoding. */
  toBytes(): Uint8Array {
    // A clamped array rounds and clamps on assignment, which is what encoding needs.
    const out = new Uint8ClampedArray(this.data.length)
    for (let i = 0; i < out.length; i++) out[i] = this.data[i] * 255
    return new Uint8Array(out.buffer)
  }
}

export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t]
}

export function shade(c: Rgb, f: number): Rgb {
  return [c[0] * f, c[1] * f, c[2] * f]
}

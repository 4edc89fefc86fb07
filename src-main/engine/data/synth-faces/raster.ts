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
    return (x, y) => (Math.hypot((x - cx) / rx, (y - cy) / ry) - 1) * r
  },
  /** A line segment with round ends and half-thickness r (a capsule). */
  segment(x0: number, y0: number, x1: number, y1: number, r: number): Sdf {
    const dx = x1 - x0
    const dy = y1 - y0
    const len2 = dx * dx + dy * dy || 1e-12
    return (x, y) => {
      const t = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / len2))
      return Math.hypot(x - x0 - t * dx, y - y0 - t * dy) - r
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
      return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - rc
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

  constructor(
    readonly width: number,
    readonly height: number
  ) {
    this.data = new Float32Array(width * height * 3)
  }

  /**
   * Blends `colour` (or per-pixel colour) into the pixels covered by `shape`, with `opacity`
   * (0..1 or per-pixel). `bounds` is the local box containing the shape, to skip far pixels.
   */
  fill(frame: Frame, shape: Sdf, bounds: [number, number, number, number], colour: Rgb | ((px: number, py: number) => Rgb), opacity: number | ((px: number, py: number) => number) = 1): void {
    const [x0, y0, x1, y1] = frame.pixelBounds(...bounds)
    for (let py = Math.max(0, y0); py < Math.min(this.height, y1); py++) {
      for (let px = Math.max(0, x0); px < Math.min(this.width, x1); px++) {
        const p = py * this.width + px
        const coverage = Math.min(1, Math.max(0, 0.5 - shape(frame.localX[p], frame.localY[p]) * frame.scale))
        if (coverage <= 0) continue
        const a = coverage * (typeof opacity === 'number' ? opacity : opacity(px, py))
        if (a <= 0) continue
        const c = typeof colour === 'function' ? colour(px, py) : colour
        const i = p * 3
        this.data[i] += (c[0] - this.data[i]) * a
        this.data[i + 1] += (c[1] - this.data[i + 1]) * a
        this.data[i + 2] += (c[2] - this.data[i + 2]) * a
      }
    }
  }

  /** 8-bit RGB for encoding. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.data.length)
    for (let i = 0; i < out.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, this.data[i])) * 255)
    return out
  }
}

export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t]
}

export function shade(c: Rgb, f: number): Rgb {
  return [c[0] * f, c[1] * f, c[2] * f]
}

import type { SyntheticFaceAttribute } from '../../../../src-shared/dataset'
import { createRandom, uniform, type Random } from '../random'
import { Canvas, mix, sdf, shade, type Frame, type Rgb } from './raster'

/**
 * One synthetic face. Each attribute changes only its own region — Smiling the mouth, Male
 * the jaw and beard, Eyeglasses the eyes — and everything else (position, size, tilt, skin,
 * hair, lighting, background) varies independently, so a model must find the region to
 * learn the label. Units are fractions of the image side, in the face's own frame.
 */
export interface FaceParams {
  attributes: Record<SyntheticFaceAttribute, boolean>
  centre: [number, number]
  scale: number
  tilt: number
  skin: Rgb
  hair: Rgb
  hairStyle: 0 | 1 | 2
  iris: Rgb
  background: Rgb
  backgroundNoise: number
  gradient: [number, number]
  light: { angle: number; strength: number; brightness: number }
  mouthWidth: number
  smileDepth: number
  browThickness: number
  glasses: Rgb
  beardDensity: number
  sensorNoise: number
  /** Seeds the per-pixel noise, so re-drawing the same face reproduces it exactly. */
  noiseSeed: number
}

const skinLight: Rgb = [0.96, 0.84, 0.74]
const skinDark: Rgb = [0.36, 0.24, 0.17]
const hairColours: Rgb[] = [[0.08, 0.06, 0.05], [0.3, 0.18, 0.08], [0.55, 0.38, 0.2], [0.85, 0.72, 0.45], [0.55, 0.55, 0.55], [0.5, 0.16, 0.07]]
const irisColours: Rgb[] = [[0.25, 0.15, 0.08], [0.2, 0.35, 0.6], [0.25, 0.45, 0.3], [0.4, 0.3, 0.15]]
const frameColours: Rgb[] = [[0.05, 0.05, 0.05], [0.3, 0.15, 0.05], [0.15, 0.2, 0.35], [0.45, 0.1, 0.1]]

function pick<T>(random: Random, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]
}

/** Draws the parameters of face `index` for a seed; attributes are independent Bernoulli draws. */
export function sampleFace(seed: number, index: number, rates: Record<SyntheticFaceAttribute, number>): FaceParams {
  const r = createRandom(seed, index)
  return {
    attributes: { Smiling: r() < rates.Smiling, Male: r() < rates.Male, Eyeglasses: r() < rates.Eyeglasses },
    centre: [0.5 + uniform(r, -0.06, 0.06), 0.52 + uniform(r, -0.05, 0.05)],
    scale: uniform(r, 0.88, 1.06),
    tilt: uniform(r, -0.14, 0.14),
    skin: mix(skinLight, skinDark, r()),
    hair: pick(r, hairColours),
    hairStyle: Math.floor(r() * 3) as 0 | 1 | 2,
    iris: pick(r, irisColours),
    background: [uniform(r, 0.15, 0.9), uniform(r, 0.15, 0.9), uniform(r, 0.15, 0.9)],
    backgroundNoise: uniform(r, 0.02, 0.12),
    gradient: [uniform(r, -0.25, 0.25), uniform(r, -0.25, 0.25)],
    light: { angle: uniform(r, 0, 2 * Math.PI), strength: uniform(r, 0, 0.35), brightness: uniform(r, 0.8, 1.15) },
    mouthWidth: uniform(r, 0.075, 0.1),
    smileDepth: uniform(r, 0.035, 0.055),
    browThickness: uniform(r, 0.008, 0.014),
    glasses: pick(r, frameColours),
    beardDensity: uniform(r, 0.55, 0.85),
    sensorNoise: uniform(r, 0.005, 0.025),
    noiseSeed: Math.floor(r() * 0x7fffffff)
  }
}

function faceFrame(p: FaceParams, size: number): Frame {
  const cos = Math.cos(p.tilt)
  const sin = Math.sin(p.tilt)
  const [cx, cy] = p.centre
  const toPixel = (lx: number, ly: number): [number, number] => [(cx + (lx * cos - ly * sin) * p.scale) * size, (cy + (lx * sin + ly * cos) * p.scale) * size]
  const localX = new Float32Array(size * size)
  const localY = new Float32Array(size * size)
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const dx = (px + 0.5) / size - cx
      const dy = (py + 0.5) / size - cy
      localX[py * size + px] = (dx * cos + dy * sin) / p.scale
      localY[py * size + px] = (-dx * sin + dy * cos) / p.scale
    }
  }
  return {
    scale: p.scale * size,
    localX,
    localY,
    pixelBounds(x0, y0, x1, y1) {
      const corners = [toPixel(x0, y0), toPixel(x1, y0), toPixel(x0, y1), toPixel(x1, y1)]
      const xs = corners.map((c) => c[0])
      const ys = corners.map((c) => c[1])
      return [Math.floor(Math.min(...xs)) - 2, Math.floor(Math.min(...ys)) - 2, Math.ceil(Math.max(...xs)) + 2, Math.ceil(Math.max(...ys)) + 2]
    }
  }
}

/** Recent noise fields: a face is drawn four times (once per attribute toggled for its masks). */
const noiseCache = new Map<string, Float32Array>()

/**
 * Per-pixel noise, the same for every drawing of a face (stream picks the use). Each 32-bit
 * draw gives four bytes: uniform noise uses one byte per pixel, near-Gaussian noise sums four
 * (Irwin–Hall), which is plenty for pixel noise and several times cheaper than Box–Muller.
 */
function noiseField(seed: number, stream: number, n: number, gaussianNoise: boolean): Float32Array {
  const key = `${seed}:${stream}:${n}:${gaussianNoise}`
  const cached = noiseCache.get(key)
  if (cached) return cached
  const r = createRandom(seed, stream)
  const out = new Float32Array(n)
  if (gaussianNoise) {
    // Four bytes uniform on 0..255 sum to mean 510, standard deviation 147.8.
    for (let i = 0; i < n; i++) {
      const w = (r() * 4294967296) >>> 0
      out[i] = ((w & 255) + ((w >>> 8) & 255) + ((w >>> 16) & 255) + (w >>> 24) - 510) / 147.8
    }
  } else {
    for (let i = 0; i < n; i += 4) {
      const w = (r() * 4294967296) >>> 0
      for (let k = 0; k < 4 && i + k < n; k++) out[i + k] = ((w >>> (8 * k)) & 255) / 127.5 - 1
    }
  }
  if (noiseCache.size >= 16) noiseCache.delete(noiseCache.keys().next().value as string)
  noiseCache.set(key, out)
  return out
}

/** Renders a face as size×size RGB bytes. */
export function drawFace(p: FaceParams, size: number): Uint8Array {
  const n = size * size
  const canvas = new Canvas(size, size)
  const bgNoise = noiseField(p.noiseSeed, 1, n, false)
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const g = 1 + p.gradient[0] * (x / size - 0.5) + p.gradient[1] * (y / size - 0.5)
      const i = y * size + x
      for (let c = 0; c < 3; c++) canvas.data[i * 3 + c] = p.background[c] * g + p.backgroundNoise * bgNoise[i]
    }
  }
  const frame = faceFrame(p, size)
  drawShapes(canvas, frame, p)

  // Lighting from one side, then sensor noise.
  const sensor = noiseField(p.noiseSeed, 2, n, true)
  const lx = Math.cos(p.light.angle)
  const ly = Math.sin(p.light.angle)
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x
      const light = p.light.brightness * (1 + p.light.strength * ((x / size - 0.5) * lx + (y / size - 0.5) * ly) * 2)
      for (let c = 0; c < 3; c++) canvas.data[i * 3 + c] = canvas.data[i * 3 + c] * light + p.sensorNoise * sensor[i]
    }
  }
  return canvas.toBytes()
}

/** Local boxes containing everything each attribute changes: the mouth, the jaw and beard, the eyes. */
const attributeBoxes: Record<SyntheticFaceAttribute, [number, number, number, number]> = {
  Smiling: [-0.14, 0.11, 0.14, 0.26],
  Male: [-0.32, -0.02, 0.32, 0.4],
  Eyeglasses: [-0.3, -0.16, 0.3, 0.0]
}

/**
 * Where each attribute shows: the pixels that change when the face is drawn with the
 * attribute flipped, everything else equal. Lighting and noise are the same in both drawings,
 * so comparing the shapes alone finds the same pixels; with `clip`, only inside the
 * attribute's box (the unclipped result is the same, and tests check that).
 */
export function attributeRegions(p: FaceParams, size: number, clip = true): Record<SyntheticFaceAttribute, Uint8Array> {
  const frame = faceFrame(p, size)
  const shapesOf = (params: FaceParams, box: readonly [number, number, number, number]): Float32Array => {
    const canvas = new Canvas(size, size, box)
    drawShapes(canvas, frame, params)
    return canvas.data
  }
  const base = shapesOf(p, [0, 0, size, size])
  const out = {} as Record<SyntheticFaceAttribute, Uint8Array>
  for (const a of Object.keys(p.attributes) as SyntheticFaceAttribute[]) {
    const [x0, y0, x1, y1] = frame.pixelBounds(...attributeBoxes[a])
    const box = clip ? ([Math.max(0, x0), Math.max(0, y0), Math.min(size, x1), Math.min(size, y1)] as const) : ([0, 0, size, size] as const)
    const flipped = shapesOf({ ...p, attributes: { ...p.attributes, [a]: !p.attributes[a] } }, box)
    const mask = new Uint8Array(size * size)
    for (let y = box[1]; y < box[3]; y++) {
      for (let x = box[0]; x < box[2]; x++) {
        const i = (y * size + x) * 3
        if (Math.abs(base[i] - flipped[i]) > 0.5 / 255 || Math.abs(base[i + 1] - flipped[i + 1]) > 0.5 / 255 || Math.abs(base[i + 2] - flipped[i + 2]) > 0.5 / 255) mask[y * size + x] = 1
      }
    }
    out[a] = mask
  }
  return out
}

function drawShapes(canvas: Canvas, f: Frame, p: FaceParams): void {
  const size = canvas.width
  const n = size * size
  const { Smiling: smiling, Male: male, Eyeglasses: glasses } = p.attributes
  const skinShadow = shade(p.skin, 0.78)

  // Hair behind the head (long styles) and the neck.
  if (p.hairStyle === 2) canvas.fill(f, sdf.roundBox(0, 0.05, 0.34, 0.38, 0.2), [-0.36, -0.35, 0.36, 0.45], p.hair)
  canvas.fill(f, sdf.roundBox(0, 0.42, 0.1, 0.12, 0.03), [-0.12, 0.28, 0.12, 0.56], skinShadow)

  // Face outline; a male face adds a squarer jaw.
  const head = sdf.ellipse(0, 0, 0.27, 0.35)
  const jaw = sdf.roundBox(0, 0.17, 0.235, 0.15, 0.075)
  const faceShape = male ? sdf.union(head, jaw) : head
  canvas.fill(f, faceShape, [-0.3, -0.37, 0.3, 0.37], p.skin)

  // Beard stubble over the jaw and chin, leaving the mouth area clear so the regions stay apart.
  if (male) {
    const stubble = noiseField(p.noiseSeed, 3, n, false)
    const density = new Float32Array(n)
    for (let i = 0; i < n; i++) density[i] = p.beardDensity * (0.75 + 0.25 * stubble[i])
    const beardColour = mix(p.hair, shade(p.skin, 0.5), 0.35)
    canvas.fill(f, sdf.intersect(faceShape, sdf.below(0.1), sdf.outside(sdf.ellipse(0, 0.17, 0.15, 0.075))), [-0.3, 0.08, 0.3, 0.37], beardColour, density)
  }

  // Hair on top.
  const cap = sdf.intersect(sdf.ellipse(0, -0.1, 0.3, 0.3), sdf.above(p.hairStyle === 0 ? -0.2 : -0.16))
  canvas.fill(f, cap, [-0.32, -0.42, 0.32, -0.14], p.hair)

  // Brows, eyes, nose.
  for (const side of [-1, 1]) {
    const ex = side * 0.105
    canvas.fill(f, sdf.segment(side * 0.06, -0.145, side * 0.155, -0.15, p.browThickness), [ex - 0.07, -0.18, ex + 0.07, -0.12], shade(p.hair, 0.9))
    canvas.fill(f, sdf.ellipse(ex, -0.075, 0.052, 0.028), [ex - 0.06, -0.11, ex + 0.06, -0.04], [0.95, 0.95, 0.93])
    canvas.fill(f, sdf.ellipse(ex, -0.075, 0.022, 0.022), [ex - 0.03, -0.1, ex + 0.03, -0.05], p.iris)
    canvas.fill(f, sdf.ellipse(ex, -0.075, 0.01, 0.01), [ex - 0.02, -0.09, ex + 0.02, -0.06], [0.02, 0.02, 0.02])
  }
  canvas.fill(f, sdf.segment(0.0, -0.03, 0.018, 0.055, 0.01), [-0.03, -0.05, 0.04, 0.08], skinShadow)
  canvas.fill(f, sdf.ellipse(0, 0.065, 0.035, 0.014), [-0.05, 0.04, 0.05, 0.09], skinShadow)

  // Mouth: a deep open smile with teeth, or a closed straight mouth.
  const w = p.mouthWidth
  const my = 0.165
  const lips: Rgb = mix(shade(p.skin, 0.6), [0.7, 0.2, 0.2], 0.5)
  if (smiling) {
    const lower = Array.from({ length: 9 }, (_, k) => {
      const t = -1 + k / 4
      return [t * w, my - 0.015 + p.smileDepth * (1 - t * t)] as const
    })
    const upper = sdf.polyline([[-w, my - 0.015], [0, my - 0.003], [w, my - 0.015]], 0.004)
    const opening = sdf.intersect(sdf.ellipse(0, my - 0.015, w, p.smileDepth + 0.004), sdf.below(my - 0.015))
    canvas.fill(f, opening, [-w - 0.02, my - 0.03, w + 0.02, my + 0.07], [0.35, 0.08, 0.08])
    canvas.fill(f, sdf.intersect(opening, sdf.above(my + 0.004)), [-w, my - 0.03, w, my + 0.02], [0.97, 0.96, 0.92])
    canvas.fill(f, sdf.union(sdf.polyline(lower, 0.007), upper), [-w - 0.02, my - 0.03, w + 0.02, my + 0.07], lips)
  } else {
    canvas.fill(f, sdf.polyline([[-w * 0.85, my + 0.004], [0, my], [w * 0.85, my + 0.004]], 0.008), [-w - 0.02, my - 0.02, w + 0.02, my + 0.03], lips)
  }

  // Glasses: two frames around the eyes, a bridge and the arms, with faintly tinted lenses.
  if (glasses) {
    for (const side of [-1, 1]) {
      const ex = side * 0.105
      const lens = sdf.roundBox(ex, -0.075, 0.068, 0.05, 0.03)
      const lensBounds: [number, number, number, number] = [ex - 0.08, -0.14, ex + 0.08, -0.01]
      canvas.fill(f, lens, lensBounds, mix(p.glasses, [0.7, 0.8, 0.9], 0.6), 0.18)
      canvas.fill(f, sdf.ring(lens, 0.007), lensBounds, p.glasses)
      canvas.fill(f, sdf.segment(side * 0.173, -0.09, side * 0.26, -0.1, 0.006), side < 0 ? [-0.28, -0.12, -0.16, -0.07] : [0.16, -0.12, 0.28, -0.07], p.glasses)
    }
    canvas.fill(f, sdf.polyline([[-0.037, -0.08], [0, -0.092], [0.037, -0.08]], 0.006), [-0.05, -0.11, 0.05, -0.06], p.glasses)
  }
}

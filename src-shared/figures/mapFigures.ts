/**
 * Figure specs for images and feature maps in the run inspector: a channel's map, the input
 * the network saw, a map laid over its input, conv filters and receptive-field patches.
 */
import { colorTable } from '../colormaps'
import type { ColorScale, HeatmapFigure, ImageFigure } from '../figure'
import type { FeatureMapLayer, FilterLayer, InspectInputImage } from '../inspect'

/** Channel `c` of a layer's channel-major maps. */
export function channelMap(layer: FeatureMapLayer, c: number): Float32Array {
  const [h, w] = layer.shape
  return layer.maps.subarray(c * h * w, (c + 1) * h * w)
}

export function channelRange(values: Float32Array): { min: number; max: number } {
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < values.length; i++) {
    min = Math.min(min, values[i])
    max = Math.max(max, values[i])
  }
  return Number.isFinite(min) ? { min, max } : { min: 0, max: 1 }
}

/** One channel as a viridis heatmap; `shared` uses the layer's range so channels compare. */
export function featureMapFigure(layer: FeatureMapLayer, c: number, shared: boolean): HeatmapFigure {
  const [h, w] = layer.shape
  const values = channelMap(layer, c)
  const range = shared ? { min: layer.min, max: layer.max } : channelRange(values)
  return { kind: 'heatmap', title: `${layer.name} · channel ${c}`, width: w, height: h, values, scale: { name: 'viridis', min: range.min, max: range.max, label: 'activation' } }
}

export function inputFigure(input: InspectInputImage): ImageFigure {
  return { kind: 'image', title: input.source, width: input.width, height: input.height, channels: input.channels === 3 ? 3 : 1, values: input.pixels }
}

/** Nearest-neighbour lookup of an h×w map at the input's resolution (maps are smaller after pooling). */
function upsampled(map: Float32Array, h: number, w: number, height: number, width: number): Float32Array {
  const out = new Float32Array(height * width)
  for (let y = 0; y < height; y++) {
    const sy = Math.min(h - 1, Math.floor((y * h) / height))
    for (let x = 0; x < width; x++) out[y * width + x] = map[sy * w + Math.min(w - 1, Math.floor((x * w) / width))]
  }
  return out
}

/** The map coloured through `scale` and blended over the input at `alpha`, as an RGB image. */
export function overlayFigure(input: InspectInputImage, map: Float32Array, mapShape: [number, number], scale: ColorScale, alpha: number): ImageFigure {
  const { height, width } = input
  const up = upsampled(map, mapShape[0], mapShape[1], height, width)
  const table = colorTable(scale.name)
  const span = scale.max > scale.min ? scale.max - scale.min : 1
  const values = new Float32Array(height * width * 3)
  for (let p = 0; p < height * width; p++) {
    const k = Math.max(0, Math.min(255, Math.round(((up[p] - scale.min) / span) * 255))) * 4
    for (let c = 0; c < 3; c++) {
      const base = input.pixels[p * input.channels + (input.channels === 3 ? c : 0)]
      values[p * 3 + c] = (1 - alpha) * base + (alpha * table[k + c]) / 255
    }
  }
  return { kind: 'image', title: `${input.source} with overlay`, width, height, channels: 3, values }
}

/** Filter `f` of a layer drawn as one tile: RGB, a signed reduction (coolwarm) or an L2 norm (viridis). */
export function filterTileFigure(layer: FilterLayer, f: number): HeatmapFigure | ImageFigure {
  const [kh, kw] = layer.kernel
  const title = `${layer.name} · filter ${f} · |w| ≤ ${layer.scales[f].toPrecision(3)}`
  if (layer.view === 'rgb') return { kind: 'image', title, width: kw, height: kh, channels: 3, values: layer.values.subarray(f * kh * kw * 3, (f + 1) * kh * kw * 3) }
  const values = layer.values.subarray(f * kh * kw, (f + 1) * kh * kw)
  const scale: ColorScale = layer.view === 'l2' ? { name: 'viridis', min: 0, max: 1, label: '‖w‖ / scale' } : { name: 'coolwarm', min: -1, max: 1, label: 'w / scale' }
  return { kind: 'heatmap', title, width: kw, height: kh, values, scale }
}

/**
 * All filters of a per-input view as one mosaic: a row of tiles per filter, a column per input
 * channel, one transparent pixel between tiles. One canvas instead of filters × inputs.
 */
export function filterMosaicFigure(layer: FilterLayer): HeatmapFigure {
  const [kh, kw] = layer.kernel
  const width = layer.inputs * (kw + 1) - 1
  const height = layer.filters * (kh + 1) - 1
  const values = new Float32Array(width * height).fill(NaN)
  for (let f = 0; f < layer.filters; f++) {
    for (let i = 0; i < layer.inputs; i++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) values[(f * (kh + 1) + y) * width + i * (kw + 1) + x] = layer.values[((f * layer.inputs + i) * kh + y) * kw + x]
      }
    }
  }
  return {
    kind: 'heatmap',
    title: `${layer.name} · ${layer.filters} filters (rows) × ${layer.inputs} input channels (columns)`,
    width,
    height,
    values,
    scale: { name: 'coolwarm', min: -1, max: 1, label: 'w / scale' },
    xLabel: 'input channel',
    yLabel: 'filter'
  }
}

/** A receptive-field patch (NaN outside the image stays transparent). */
export function patchFigure(patch: Float32Array, shape: [number, number, number], title: string): ImageFigure {
  return { kind: 'image', title, width: shape[1], height: shape[0], channels: shape[2] === 3 ? 3 : 1, values: patch }
}

/**
 * The same channel of one image's maps at several epochs on one colour scale (the range over
 * all of them), so a map that grows or fades over training reads as such.
 */
export function mapsOverEpochsFigures(layers: { epoch: number; layer: FeatureMapLayer }[], channels: number[]): { min: number; max: number; rows: { channel: number; cells: { epoch: number; spec: HeatmapFigure }[] }[] } {
  let min = Infinity
  let max = -Infinity
  for (const { layer } of layers) {
    for (const c of channels) {
      const r = channelRange(channelMap(layer, c))
      min = Math.min(min, r.min)
      max = Math.max(max, r.max)
    }
  }
  if (!Number.isFinite(min)) [min, max] = [0, 1]
  if (max === min) max = min + 1
  const rows = channels.map((c) => ({
    channel: c,
    cells: layers.map(({ epoch, layer }) => {
      const [h, w] = layer.shape
      const spec: HeatmapFigure = { kind: 'heatmap', title: `${layer.name} · channel ${c} · epoch ${epoch}`, width: w, height: h, values: channelMap(layer, c), scale: { name: 'viridis', min, max, label: 'activation' } }
      return { epoch, spec }
    })
  }))
  return { min, max, rows }
}

/** Filter `f` of a per-input view as one row: a k×k tile per input channel, a transparent column between tiles. */
export function filterRowFigure(layer: FilterLayer, f: number): HeatmapFigure {
  const [kh, kw] = layer.kernel
  const width = layer.inputs * (kw + 1) - 1
  const values = new Float32Array(width * kh).fill(NaN)
  for (let i = 0; i < layer.inputs; i++) {
    for (let y = 0; y < kh; y++) {
      for (let x = 0; x < kw; x++) values[y * width + i * (kw + 1) + x] = layer.values[((f * layer.inputs + i) * kh + y) * kw + x]
    }
  }
  return { kind: 'heatmap', title: `${layer.name} · filter ${f} over input channels 0–${layer.inputs - 1}`, width, height: kh, values, scale: { name: 'coolwarm', min: -1, max: 1, label: 'w / scale' } }
}

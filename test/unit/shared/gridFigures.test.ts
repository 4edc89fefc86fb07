import { describe, expect, it } from 'vitest'
import type { FeatureMapLayer } from '../../../src-shared/inspect'
import { featureMapGridFigure, mapsOverEpochsGridFigure, parseChannels } from '../../../src-shared/figures/gridFigures'

/** A layer of c maps of h×w whose value at (ch, y, x) is ch·100 + y·10 + x. */
function layer(c: number, h: number, w: number, offset = 0): FeatureMapLayer {
  const maps = Float32Array.from({ length: c * h * w }, (_, i) => offset + Math.floor(i / (h * w)) * 100 + Math.floor((i % (h * w)) / w) * 10 + (i % w))
  return { name: 'conv', className: 'Conv2D', shape: [h, w, c], maps, mu: new Float32Array(c), sigma: new Float32Array(c), min: 0, max: 1 }
}

describe('a layer as one figure', () => {
  it('places each chosen channel as a tile, with gutters, labels and one scale over the chosen maps', () => {
    const fig = featureMapGridFigure(layer(4, 3, 3), 'conv · all', [1, 3])
    const t = fig.tiles!
    expect(t.labels).toEqual(['1', '3'])
    // Two 3×3 tiles side by side (columns from the aspect), label rows above each row of tiles.
    expect(t.columns).toBe(1)
    expect([fig.width, fig.height]).toEqual([3, 2 * (3 + t.gapY)])
    const at = (x: number, y: number) => fig.values[y * fig.width + x]
    expect(at(0, t.gapY)).toBe(100)
    expect(at(2, t.gapY + 2)).toBe(122)
    expect(at(0, 2 * t.gapY + 3)).toBe(300)
    expect(Number.isNaN(at(0, 0))).toBe(true)
    expect(fig.scale).toMatchObject({ min: 100, max: 322 })
  })

  it('lays channels across epochs out as rows of epochs', () => {
    const epochs = [1, 2, 5].map((epoch) => ({ epoch, layer: layer(2, 2, 2, epoch * 1000) }))
    const fig = mapsOverEpochsGridFigure(epochs, [0, 1], { min: 0, max: 6000 }, 'conv across epochs')
    const t = fig.tiles!
    expect(t.columns).toBe(3)
    expect(t.labels).toEqual(['#0 · epoch 1', '#0 · epoch 2', '#0 · epoch 5', '#1 · epoch 1', '#1 · epoch 2', '#1 · epoch 5'])
    const tileX = (col: number) => col * (2 + t.gapX)
    expect(fig.values[t.gapY * fig.width + tileX(2)]).toBe(5000)
    expect(fig.values[(2 * t.gapY + 2) * fig.width + tileX(1)]).toBe(2100)
  })

  it('reads channel lists and ranges, refusing what the layer does not have', () => {
    expect(parseChannels('0-2,5', 8)).toEqual([0, 1, 2, 5])
    expect(() => parseChannels('6-9', 8)).toThrow(/the layer has channels 0–7/)
    expect(() => parseChannels('a', 8)).toThrow(/numbers and ranges/)
  })
})

import { describe, expect, it } from 'vitest'
import { filterRowFigure, mapsOverEpochsFigures } from '../../../src-shared/figures/mapFigures'
import { kernelStatRows } from '../../../src-shared/figures/weightFigures'
import type { FeatureMapLayer, FilterLayer, MatrixView } from '../../../src-shared/inspect'

describe('kernelStatRows: a conv kernel statistic in the kernel’s own shape', () => {
  it('puts weight [y, x, input i, filter f] at row f, tile i, pixel (y, x)', () => {
    // A 2×3 kernel over 2 inputs and 3 filters; the layout matrix has rows = filters and
    // cols = (i·kh + y)·kw + x. Give every weight a value that encodes its own index.
    const [kh, kw, inputs, filters] = [2, 3, 2, 3]
    const cols = inputs * kh * kw
    const data = new Float32Array(filters * cols)
    const code = (f: number, i: number, y: number, x: number) => f * 1000 + i * 100 + y * 10 + x
    for (let f = 0; f < filters; f++) for (let i = 0; i < inputs; i++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) data[f * cols + (i * kh + y) * kw + x] = code(f, i, y, x)
    const matrix = { data, rows: filters, cols } as MatrixView
    const { rows, scale } = kernelStatRows(matrix, [kh, kw, inputs, filters], 'mean')
    expect(rows).toHaveLength(3)
    expect(scale).toMatchObject({ name: 'coolwarm', min: -2112, max: 2112 })
    const row = rows[2]
    // Two tiles of 3 columns with one transparent column between them.
    expect([row.width, row.height]).toEqual([7, 2])
    expect(row.values[1 * 7 + 2]).toBe(code(2, 0, 1, 2))
    expect(row.values[0 * 7 + 4]).toBe(code(2, 1, 0, 0))
    expect(Number.isNaN(row.values[3])).toBe(true)
    expect(kernelStatRows(matrix, [kh, kw, inputs, filters], 'variance').scale).toMatchObject({ name: 'viridis', min: 0, max: 2112 })
  })
})

describe('filterRowFigure and mapsOverEpochsFigures', () => {
  it('lays a filter’s input tiles side by side', () => {
    const layer = { name: 'conv2', kernel: [2, 2], inputs: 3, filters: 1, values: Float32Array.from({ length: 12 }, (_, k) => k) } as unknown as FilterLayer
    const row = filterRowFigure(layer, 0)
    expect([row.width, row.height]).toEqual([8, 2])
    // Input 1's tile starts at column 3: its values are 4..7.
    expect(Array.from(row.values.subarray(3, 5))).toEqual([4, 5])
    expect(Array.from(row.values.subarray(11, 13))).toEqual([6, 7])
  })

  it('puts every epoch of a channel on one colour scale, the range over all shown maps', () => {
    const layer = (offset: number): FeatureMapLayer => ({ name: 'conv1', className: 'Conv2D', shape: [1, 2, 2], maps: Float32Array.from([0, 1, 2, 3].map((v) => v + offset)), mu: new Float32Array(2), sigma: new Float32Array(2), min: 0, max: 0 })
    const grid = mapsOverEpochsFigures([{ epoch: 0, layer: layer(0) }, { epoch: 3, layer: layer(10) }], [1])
    expect([grid.min, grid.max]).toEqual([2, 13])
    expect(grid.rows[0].cells.map((c) => Array.from(c.spec.values))).toEqual([[2, 3], [12, 13]])
    expect(grid.rows[0].cells[1].spec.scale).toMatchObject({ min: 2, max: 13 })
  })
})

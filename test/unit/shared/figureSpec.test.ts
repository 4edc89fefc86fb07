import { describe, expect, it } from 'vitest'
import { ExportOptions, FigureSpec, type HeatmapFigure } from '../../../src-shared/figure'

const heatmap = (values: Float32Array): HeatmapFigure => ({ kind: 'heatmap', title: 'conv1', width: 3, height: 2, values, scale: { name: 'magma', min: 0, max: 1 } })

describe('figure spec and export options: one schema, one type', () => {
  it('parses a heatmap, keeping its values as the same Float32Array', () => {
    const values = new Float32Array([0, 0.2, 0.4, 0.6, 0.8, 1])
    const parsed = FigureSpec.parse(heatmap(values))
    expect(parsed.kind).toBe('heatmap')
    expect(parsed.kind === 'heatmap' && parsed.values).toBe(values)
  })

  it('refuses a heatmap whose values do not fill width × height, and values that are not a Float32Array', () => {
    const short = FigureSpec.safeParse(heatmap(new Float32Array(5)))
    expect(short.success).toBe(false)
    expect(short.error?.issues[0].message).toBe('values: a heatmap needs width × height values')
    expect(FigureSpec.safeParse({ ...heatmap(new Float32Array(6)), values: [0, 0, 0, 0, 0, 0] }).success).toBe(false)
    expect(FigureSpec.safeParse({ kind: 'image', width: 1, height: 1, channels: 2, values: new Float32Array(2) }).success).toBe(false)
  })

  it('takes known export options only', () => {
    expect(ExportOptions.parse({ format: 'png', dpi: 300, widthIn: 6, theme: 'dark' })).toEqual({ format: 'png', dpi: 300, widthIn: 6, theme: 'dark' })
    expect(ExportOptions.safeParse({ format: 'png', width: 6 }).success).toBe(false)
    expect(ExportOptions.safeParse({ format: 'gif' }).success).toBe(false)
  })
})

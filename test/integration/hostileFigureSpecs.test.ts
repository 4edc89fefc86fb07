import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ChartFigure } from '../../src-shared/figure'
import type { ExportedFile } from '../../src-shared/figureSet'
import { checkedReferences } from '../../src-main/engine/figures/chartSvg'
import { exportFigure } from '../../src-main/engine/figures/exportFigure'
import { saveFigure } from '../../src-main/engine/store/figureStore'
import type { OpenApi } from '../../src-main/api/openApi'
import { openTestApi, tempDir } from '../support/workspace'

let api: OpenApi | null = null
afterEach(() => api?.close())

/** A local picture outside every folder of ours, of one colour no chart draws. */
const SECRET = [250, 10, 200]
let secretPath = ''
let smallDataUrl = ''

beforeAll(async () => {
  const png = await sharp({ create: { width: 40, height: 40, channels: 3, background: { r: SECRET[0], g: SECRET[1], b: SECRET[2] } } }).png().toBuffer()
  secretPath = join(tempDir('fl-secret-'), 'private.png')
  writeFileSync(secretPath, png)
  smallDataUrl = `data:image/png;base64,${png.toString('base64')}`
})

function chart(extra: Record<string, unknown>): ChartFigure {
  return { kind: 'chart', title: 'hostile', option: { xAxis: { type: 'value' }, yAxis: { type: 'value' }, series: [{ type: 'line', data: [[0, 0], [1, 1]] }], ...extra } }
}

/** A PNG header (signature and IHDR) declaring width × height, as a data URL: a decompression bomb's first bytes. */
function declaredPng(width: number, height: number): string {
  const head = Buffer.alloc(33)
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(head, 0)
  head.writeUInt32BE(13, 8)
  head.write('IHDR', 12, 'latin1')
  head.writeUInt32BE(width, 16)
  head.writeUInt32BE(height, 20)
  head[24] = 8
  head[25] = 6
  return `data:image/png;base64,${head.toString('base64')}`
}

/** Hostile chart options: [what, the option's extra keys, the field the error must name]. */
function hostileOptions(): [string, Record<string, unknown>, string][] {
  const graphicImage = (image: unknown) => ({ graphic: [{ type: 'image', left: 10, top: 10, style: { image, width: 200, height: 200 } }] })
  return [
    ['a local file as a graphic image', graphicImage(secretPath), 'option.graphic[0].style.image'],
    ['/dev/zero as a graphic image', graphicImage('/dev/zero'), 'option.graphic[0].style.image'],
    ['a file: URL', graphicImage(`file://${secretPath}`), 'option.graphic[0].style.image'],
    ['a web address', graphicImage('http://example.invalid/x.png'), 'option.graphic[0].style.image'],
    ['an object in place of an image', graphicImage({ src: secretPath }), 'option.graphic[0].style.image'],
    ['an SVG data URL', graphicImage(`data:image/svg+xml;base64,${Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg"><image href="${secretPath}"/></svg>`).toString('base64')}`), 'option.graphic[0].style.image'],
    ['a PNG declaring 100000 × 100000 pixels', graphicImage(declaredPng(100_000, 100_000)), 'option.graphic[0].style.image'],
    ['a PNG data URL over the size cap', graphicImage(`data:image/png;base64,${Buffer.alloc(5 * 1024 * 1024).toString('base64')}`), 'option.graphic[0].style.image'],
    ['a series symbol image://', { series: [{ type: 'scatter', symbol: `image://${secretPath}`, data: [[0, 0]] }] }, 'option.series[0].symbol'],
    ['a pattern fill', { series: [{ type: 'bar', data: [1, 2], itemStyle: { color: { image: secretPath, repeat: 'repeat' } } }] }, 'option.series[0].itemStyle.color.image'],
    ['a background pattern', { backgroundColor: { image: secretPath, repeat: 'repeat' } }, 'option.backgroundColor.image'],
    ['a legend icon', { legend: { icon: `image://${secretPath}` } }, 'option.legend.icon']
  ]
}

/** Whether a PNG has pixels of the secret picture's colour. */
async function hasSecretPixels(bytes: Uint8Array): Promise<boolean> {
  const { data, info } = await sharp(Buffer.from(bytes)).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  for (let i = 0; i < info.width * info.height * 3; i += 3) if (data[i] === SECRET[0] && data[i + 1] === SECRET[1] && data[i + 2] === SECRET[2]) return true
  return false
}

describe('figure export never reads a local file named in a chart spec', () => {
  it('refuses a local file path as a graphic image in PNG, PDF and SVG, naming the field', async () => {
    api = openTestApi()
    const spec = chart({ graphic: [{ type: 'image', left: 10, top: 10, style: { image: secretPath, width: 200, height: 200 } }] })
    for (const format of ['png', 'pdf', 'svg'] as const) {
      await expect(api.dispatch('figures.export', { spec, options: { format, dpi: 50, widthIn: 4 } }), format).rejects.toThrow(/option\.graphic\[0\]\.style\.image.*PNG data URL/)
    }
  })

  it('refuses every other image source in exports and saves, with a clear error naming where it is', async () => {
    api = openTestApi()
    for (const [what, extra, field] of hostileOptions()) {
      const spec = chart(extra)
      const started = Date.now()
      for (const format of ['png', 'pdf', 'svg'] as const) {
        const result = api.dispatch('figures.export', { spec, options: { format, dpi: 50, widthIn: 4 } })
        await expect(result, `${what} (${format})`).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringContaining(field) })
      }
      await expect(api.dispatch('figures.save', { spec, source: 'test' }), what).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringContaining(field) })
      expect(Date.now() - started, what).toBeLessThan(5000)
    }
  })

  it('refuses a hostile spec that is already saved (the CLI export of a saved figure) without reading the file', async () => {
    api = openTestApi()
    const spec = chart({ graphic: [{ type: 'image', left: 10, top: 10, style: { image: secretPath, width: 200, height: 200 } }] })
    const saved = saveFigure(api.context.db, spec, { source: 'an older version', runIds: [] })
    await expect(api.dispatch('figures.export', { id: saved.id, options: { format: 'png', dpi: 50, widthIn: 4 } })).rejects.toThrow(/PNG data URL/)
    await expect(exportFigure(spec, { format: 'pdf', widthIn: 4 })).rejects.toThrow(/option\.graphic\[0\]\.style\.image/)
    const layout = { rows: 1, cols: 1, widthIn: 6, heightIn: 4, theme: 'light', fontSize: 11, panels: [{ figureId: saved.id, row: 0, col: 0 }] }
    const composition = (await api.dispatch('compositions.save', { name: 'poster', layout })) as { id: string }
    await expect(api.dispatch('compositions.export', { id: composition.id, options: { format: 'png', dpi: 50 } })).rejects.toThrow(/PNG data URL/)
  })

  it('embeds a small PNG data URL, the form our own builders produce', async () => {
    api = openTestApi()
    const spec = chart({ graphic: [{ type: 'image', left: 10, top: 10, style: { image: smallDataUrl, width: 100, height: 100 } }] })
    const png = (await api.dispatch('figures.export', { spec, options: { format: 'png', dpi: 96, widthIn: 4 } })) as ExportedFile
    expect(await hasSecretPixels(png.bytes)).toBe(true)
    const pdf = (await api.dispatch('figures.export', { spec, options: { format: 'pdf', widthIn: 4 } })) as ExportedFile
    expect(Buffer.from(pdf.bytes).toString('latin1')).toContain('/Subtype /Image')
  })

  it('refuses, in the drawn chart, any reference that is not its own or a small PNG data URL, whatever option made it', () => {
    expect(() => checkedReferences(`<svg><image xlink:href="${secretPath}"/></svg>`)).toThrow(/draws an image that is ".*private\.png"/)
    expect(() => checkedReferences(`<svg><image href='file:///etc/passwd'/></svg>`)).toThrow(/file:\/\/\/etc\/passwd/)
    expect(() => checkedReferences('<svg><rect style="fill:url(http://example.invalid/p)"/></svg>')).toThrow(/only to its own gradients/)
    const many = Array.from({ length: 5 }, () => `<image href="${declaredPng(4096, 4096)}"/>`).join('')
    expect(() => checkedReferences(`<svg>${many}</svg>`)).toThrow(/megapixels in all/)
    const fine = `<svg><text>see url(http://example.invalid)</text><rect fill="url(#g1)"/><use href="#a"/><image href="${smallDataUrl}"/></svg>`
    expect(checkedReferences(fine)).toBe(fine)
  })
})

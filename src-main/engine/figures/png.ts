/**
 * PNG encoding with the physical resolution recorded (pHYs, pixels per metre), and a chunk
 * reader for checks. RGBA 8-bit, one filter byte per row.
 */
import { deflateSync } from 'node:zlib'

const CRC_TABLE = (() => {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
})()

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, 'latin1')
  out.set(data, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}

/** Pixels per metre of a DPI, as PNG's pHYs stores it (300 DPI → 11811). */
export const dpiToPixelsPerMetre = (dpi: number): number => Math.round(dpi / 0.0254)

function opaque(rgba: Uint8Array | Uint8ClampedArray): boolean {
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 255) return false
  return true
}

/**
 * RGBA pixels to PNG; stored as RGB when every pixel is opaque (smaller, and PDFKit embeds such
 * a PNG's data as is instead of decoding it). Large images use faster compression.
 */
export function encodePng(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number, dpi?: number): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  const rgb = opaque(rgba)
  ihdr[8] = 8 // bit depth
  ihdr[9] = rgb ? 2 : 6 // RGB or RGBA
  const channels = rgb ? 3 : 4
  const stride = width * channels
  const raw = Buffer.alloc((stride + 1) * height)
  if (rgb) {
    for (let y = 0, o = 1, i = 0; y < height; y++, o++) for (let x = 0; x < width; x++, i += 4) {
      raw[o++] = rgba[i]
      raw[o++] = rgba[i + 1]
      raw[o++] = rgba[i + 2]
    }
  } else {
    for (let y = 0; y < height; y++) raw.set(rgba.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1)
  }
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr)]
  if (dpi) {
    const phys = Buffer.alloc(9)
    phys.writeUInt32BE(dpiToPixelsPerMetre(dpi), 0)
    phys.writeUInt32BE(dpiToPixelsPerMetre(dpi), 4)
    phys[8] = 1 // unit: metre
    parts.push(chunk('pHYs', phys))
  }
  parts.push(chunk('IDAT', deflateSync(raw, { level: raw.length > 8e6 ? 1 : 6 })), chunk('IEND', new Uint8Array(0)))
  return Buffer.concat(parts)
}

/** The chunks of a PNG file by type, in order (for checks and tests). */
export function pngChunks(png: Uint8Array): { type: string; data: Buffer }[] {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength)
  const out: { type: string; data: Buffer }[] = []
  let at = 8
  while (at + 12 <= buf.length) {
    const length = buf.readUInt32BE(at)
    out.push({ type: buf.toString('latin1', at + 4, at + 8), data: buf.subarray(at + 8, at + 8 + length) })
    at += 12 + length
  }
  return out
}

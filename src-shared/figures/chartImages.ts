/**
 * Images a chart may embed. A chart spec is data (it can come from a request or a saved file),
 * yet ECharts and the export renderers load any image source it names: a file path, a file: or
 * web address. Our own builders embed images only as PNG data URLs, so only those are accepted,
 * with caps on bytes and on declared pixels; every other source is refused, naming where it is.
 */

export const MAX_CHART_IMAGE_BYTES = 4 * 1024 * 1024
/** Declared pixels of one embedded image, and of all images one chart draws. */
export const MAX_CHART_IMAGE_PIXELS = 4096 * 4096
export const MAX_CHART_IMAGES_PIXELS = 64 * 1024 * 1024

const PNG_DATA_URL = 'data:image/png;base64,'
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
const RULE = `a chart may embed images only as PNG data URLs (${PNG_DATA_URL}…) of at most ${MAX_CHART_IMAGE_BYTES / (1024 * 1024)} MiB and ${Math.sqrt(MAX_CHART_IMAGE_PIXELS)}×${Math.sqrt(MAX_CHART_IMAGE_PIXELS)} pixels; file paths, file: and web addresses are refused`

function quoted(value: unknown): string {
  if (typeof value !== 'string') return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}…` : value)
}

/** The first bytes of a base64 text (a multiple of 4 characters). */
function base64Head(text: string, bytes: number): number[] {
  const chars = text.slice(0, Math.ceil(bytes / 3) * 4)
  const binary = atob(chars)
  return Array.from({ length: Math.min(bytes, binary.length) }, (_, i) => binary.charCodeAt(i))
}

/** The PNG data URL's declared size, or why it may not be embedded. */
export function pngDataUrlSize(source: unknown): { width: number; height: number } | string {
  if (typeof source !== 'string' || !source.startsWith(PNG_DATA_URL)) return `is ${quoted(source)}: ${RULE}`
  const text = source.slice(PNG_DATA_URL.length)
  if (text.length % 4 !== 0 || !BASE64.test(text)) return `is a PNG data URL whose data is not valid base64`
  const bytes = (text.length / 4) * 3 - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0)
  if (bytes > MAX_CHART_IMAGE_BYTES) return `is a PNG data URL of ${(bytes / (1024 * 1024)).toFixed(1)} MiB: ${RULE}`
  const head = base64Head(text, 24)
  const isPng = head.length === 24 && PNG_SIGNATURE.every((b, i) => head[i] === b) && String.fromCharCode(...head.slice(12, 16)) === 'IHDR'
  if (!isPng) return 'is a data URL that says PNG but does not start with a PNG header'
  const u32 = (at: number): number => ((head[at] << 24) | (head[at + 1] << 16) | (head[at + 2] << 8) | head[at + 3]) >>> 0
  const width = u32(16)
  const height = u32(20)
  if (width * height > MAX_CHART_IMAGE_PIXELS) return `is a PNG of ${width}×${height} pixels: ${RULE}`
  return { width, height }
}

/** An image source in an ECharts option: a value under an `image` key, or an `image://` symbol. */
function isImageSource(key: string, value: unknown): boolean {
  if (key === 'image') return value !== undefined && value !== null
  return typeof value === 'string' && value.trimStart().toLowerCase().startsWith('image://')
}

/**
 * Where an image source in a chart's option is that may not be embedded, and why
 * ("option.graphic[0].style.image is …"), or null when every one is a small PNG data URL.
 * Walks without recursion, so no nesting depth can overflow the stack.
 */
export function chartImageProblem(option: Record<string, unknown>): string | null {
  const stack: [string, unknown][] = [['option', option]]
  while (stack.length) {
    const [path, value] = stack.pop() as [string, unknown]
    if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) continue
    const entries: [string, string, unknown][] = Array.isArray(value)
      ? value.map((item, i) => [String(i), `${path}[${i}]`, item])
      : Object.entries(value).map(([key, item]) => [key, `${path}.${key}`, item])
    for (const [key, itemPath, item] of entries) {
      if (isImageSource(key, item)) {
        const source = typeof item === 'string' && item.trimStart().toLowerCase().startsWith('image://') ? item.trimStart().slice(8) : item
        const size = pngDataUrlSize(source)
        if (typeof size === 'string') return `${itemPath} ${size}`
      } else stack.push([itemPath, item])
    }
  }
  return null
}

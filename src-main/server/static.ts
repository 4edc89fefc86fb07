import { readFile, realpath, stat } from 'node:fs/promises'
import { extname, join, normalize, resolve, sep } from 'node:path'

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm'
}

export interface StaticFile {
  body: Buffer
  contentType: string
}

/**
 * Resolves a URL path inside the renderer build and nowhere else: encoded dots, backslashes,
 * NUL bytes and symlinks out of the root are all refused.
 */
export async function readStaticFile(root: string, urlPath: string): Promise<StaticFile | null> {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return null
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '')
  const base = resolve(root)
  const full = resolve(base, normalize(relative))
  if (full !== base && !full.startsWith(base + sep)) return null
  try {
    const info = await stat(full)
    if (!info.isFile()) return null
    const real = await realpath(full)
    const realBase = await realpath(base)
    if (!real.startsWith(realBase + sep)) return null
    return { body: await readFile(real), contentType: contentTypes[extname(real).toLowerCase()] ?? 'application/octet-stream' }
  } catch {
    return null
  }
}

export function rendererRoot(): string {
  return join(resolve(new URL('.', import.meta.url).pathname, '..', '..'), 'out', 'renderer')
}

/**
 * Saving an exported figure from the page: the engine renders it (same as the CLI), the bytes
 * come back over whichever transport (Electron IPC or the web host's WebSocket) and are saved
 * as a download, which both the browser and Electron's window offer.
 */
import { toRaw } from 'vue'
import type { FigureSpec } from '../../../src-shared/figure'
import type { ExportedFile } from '../../../src-shared/figureSet'

export function downloadFile(file: Pick<ExportedFile, 'bytes' | 'mime' | 'fileName'>): void {
  const blob = new Blob([new Uint8Array(file.bytes)], { type: file.mime })
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = file.fileName
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** A deep copy without Vue proxies (IPC's structured clone refuses them); typed arrays are kept. */
export function plainSpec(spec: FigureSpec): FigureSpec {
  const copy = (value: unknown): unknown => {
    const raw = toRaw(value)
    if (ArrayBuffer.isView(raw)) return raw
    if (Array.isArray(raw)) return raw.map(copy)
    if (raw && typeof raw === 'object') return Object.fromEntries(Object.entries(raw).filter(([, v]) => typeof v !== 'function' && v !== undefined).map(([k, v]) => [k, copy(v)]))
    return raw
  }
  return copy(spec) as FigureSpec
}

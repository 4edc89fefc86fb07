import { shell } from 'electron'

/** The only place the app opens anything outside itself: http and https links, in the browser. */
export async function openExternalLink(url: unknown): Promise<void> {
  if (typeof url !== 'string') return
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return
  await shell.openExternal(parsed.toString())
}

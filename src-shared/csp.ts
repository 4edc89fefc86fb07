/**
 * The one Content-Security-Policy of the renderer page. Three places deliver it: the web host's
 * header, the Electron app protocol's header and the page's meta tag (written at build time).
 * Only connect-src differs: Electron talks over IPC and needs no socket; the web host adds its
 * own WebSocket address.
 */
const directives: [string, string][] = [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  ['style-src', "'self' 'unsafe-inline'"],
  ['img-src', "'self' data: blob:"],
  ['font-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"]
]

export interface CspOptions {
  /** Sources for connect-src; 'self' alone when omitted. */
  connectSrc?: string[]
  /** A meta tag cannot carry frame-ancestors (Chromium logs an error for it). */
  delivery: 'header' | 'meta'
}

export function contentSecurityPolicy(options: CspOptions): string {
  const parts = directives.map(([name, value]) => `${name} ${value}`)
  parts.push(`connect-src ${(options.connectSrc ?? ["'self'"]).join(' ')}`)
  if (options.delivery === 'header') parts.push("frame-ancestors 'none'")
  return parts.join('; ')
}

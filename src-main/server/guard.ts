import type { IncomingMessage } from 'node:http'
import { tokensEqual } from './token'

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]'])

export interface GuardOptions {
  token: string
  port: () => number
  /** An extra host name the user bound to on purpose (e.g. --host 0.0.0.0 reached as myhost). */
  extraHosts?: string[]
}

export function cookieName(port: number): string {
  // Cookies ignore ports, so two hosts on one machine would overwrite each other's cookie.
  return `featurelens_token_${port}`
}

function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>()
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0) cookies.set(part.slice(0, eq).trim(), decodeURIComponent(part.slice(eq + 1).trim()))
  }
  return cookies
}

/**
 * The checks every request passes: a loopback Host (against DNS rebinding), the request's own
 * Origin when a browser sends one, and the token (cookie, bearer header or ?token= once).
 */
export function createGuard(options: GuardOptions) {
  const allowedHosts = (): Set<string> => {
    const port = options.port()
    const names = [...LOOPBACK_NAMES, ...(options.extraHosts ?? [])]
    return new Set(names.map((name) => `${name}:${port}`))
  }

  return {
    hostAllowed(req: IncomingMessage): boolean {
      const host = req.headers.host?.toLowerCase()
      return host !== undefined && allowedHosts().has(host)
    },
    /** A browser always sends Origin on WebSocket upgrades and cross-site POSTs; it must be ours. */
    originAllowed(req: IncomingMessage): boolean {
      const origin = req.headers.origin
      if (origin === undefined) return true
      if (origin === 'null') return false
      try {
        const url = new URL(origin)
        return url.protocol === 'http:' && allowedHosts().has(url.host.toLowerCase())
      } catch {
        return false
      }
    },
    /** Returns how the request proved the token, or null when it did not. */
    tokenFrom(req: IncomingMessage, url: URL): 'cookie' | 'header' | 'query' | null {
      if (tokensEqual(options.token, parseCookies(req.headers.cookie).get(cookieName(options.port())))) return 'cookie'
      const auth = req.headers.authorization
      if (auth?.startsWith('Bearer ') && tokensEqual(options.token, auth.slice(7))) return 'header'
      if (tokensEqual(options.token, url.searchParams.get('token'))) return 'query'
      return null
    },
    sessionCookie(): string {
      return `${cookieName(options.port())}=${encodeURIComponent(options.token)}; HttpOnly; SameSite=Strict; Path=/`
    }
  }
}
export type Guard = ReturnType<typeof createGuard>

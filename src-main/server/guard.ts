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

/**
 * The raw value of one cookie, or undefined. Other cookies (localhost cookies are shared by every
 * port, so other local servers set theirs) are skipped unread: nothing of theirs is decoded.
 * Our token is base64url, so it needs no decoding either.
 */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (typeof header !== 'string') return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/** How many Host headers the request carries (Node's req.headers keeps only the first). */
export function hostHeaderCount(req: IncomingMessage): number {
  let count = 0
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].toLowerCase() === 'host') count++
  return count
}

/**
 * The checks every request passes: a loopback Host (against DNS rebinding), the request's own
 * Origin when a browser sends one, and the token: the cookie or the CLI's bearer header, or
 * ?token= on the page load that sets the cookie (never on API calls or WebSocket upgrades, so
 * the token does not end up in logs and histories).
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
    /**
     * Returns how the request proved the token, or null when it did not. `pageLoad` is true only
     * for a GET of a page, the one request where ?token= is taken (and then set as the cookie).
     */
    tokenFrom(req: IncomingMessage, url: URL, pageLoad = false): 'cookie' | 'header' | 'query' | null {
      if (tokensEqual(options.token, cookieValue(req.headers.cookie, cookieName(options.port())))) return 'cookie'
      const auth = req.headers.authorization
      if (typeof auth === 'string' && auth.startsWith('Bearer ') && tokensEqual(options.token, auth.slice(7))) return 'header'
      if (pageLoad && tokensEqual(options.token, url.searchParams.get('token'))) return 'query'
      return null
    },
    sessionCookie(): string {
      return `${cookieName(options.port())}=${options.token}; HttpOnly; SameSite=Strict; Path=/`
    }
  }
}
export type Guard = ReturnType<typeof createGuard>
